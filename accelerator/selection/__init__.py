"""Decisions within the call quota and the programme cap, and publishing the results."""
