"""Applications to a call: drafting, attachments, submission, screening."""
