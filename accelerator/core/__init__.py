"""Shared by every area: types, errors, clock, audit trail, mail outbox, policies."""
