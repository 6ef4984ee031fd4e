"""Fixtures of the selection tests: a programme manager and a call with a small quota."""

import pytest

from tests.factories import make_call
from tests.selection.deciding_helpers import make_manager


@pytest.fixture
def manager(app):
    return make_manager()


@pytest.fixture
def call(app):
    return make_call(title="ATMP Catalyst 2031", year=2031, selection_quota=2)
