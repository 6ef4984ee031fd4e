"""Reviewer pool, conflicts of interest, assignments, reviews and ranking."""
