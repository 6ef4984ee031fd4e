"""Errors raised by services; views turn them into messages or the 403 page."""


class DomainError(Exception):
    """A rule refused the action; the message is written for the user."""


class NotAllowed(Exception):
    """The current user may not do this; shown as the 403 page."""
