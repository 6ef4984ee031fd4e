"""Events a lower area announces and a later area acts on, without importing it.

accounts sits below reviews, yet a person joining an organisation can put a reviewer in
conflict: accounts publishes, reviews subscribes when it is imported. Handlers run inside the
publisher's transaction, before its commit, so what they change commits (or rolls back) with
the change that caused it.
"""

from collections import defaultdict
from collections.abc import Callable

# A person joined an organisation: details name `user`, `by` and `now`.
MEMBER_JOINED = "organisation.member_joined"
# An organisation's legal name or email domain changed: `organisation`, `by` and `now`.
ORGANISATION_DETAILS_CHANGED = "organisation.details_changed"

_handlers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _handlers[event]:  # a module imported twice registers once
        _handlers[event].append(handler)


def publish(event: str, **details) -> None:
    for handler in _handlers[event]:
        handler(**details)
