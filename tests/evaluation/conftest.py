from types import SimpleNamespace

import pytest

from tests.booking.factories import lecturer
from tests.evaluation.factories import attendee, delivered
from tests.pool.factories import pool_for


@pytest.fixture
def pools(world):
    return SimpleNamespace(province=pool_for(world.province), county=pool_for(world.county))


@pytest.fixture
def teacher(pools):
    """A provincial instructor with its own log-in."""
    return lecturer(pools.province, username="teacher", name="周立新", title="教授")


@pytest.fixture
def secretary(world):
    return world.secretary(world.branch, username="sec", full_name="王书记")


@pytest.fixture
def lecture(world, teacher, secretary):
    """A lecture delivered to world.branch two days ago; its rating is open."""
    return delivered(world.branch, teacher)


@pytest.fixture
def alice(world):
    """A member of world.branch with a log-in."""
    return attendee(world.branch, username="alice")


@pytest.fixture
def outsider(world):
    """A member of the sibling branch (same committee), who did not attend."""
    return attendee(world.sibling_branch, username="outsider")
