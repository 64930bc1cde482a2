from types import SimpleNamespace

import pytest

from tests.booking.factories import lecturer
from tests.pool.factories import pool_for


@pytest.fixture
def pools(world):
    """The pools above world.branch (province, 南京市, 江宁区) and two it may not book from."""
    return SimpleNamespace(
        province=pool_for(world.province),
        city=pool_for(world.city),
        county=pool_for(world.county),
        sibling_county=pool_for(world.sibling_county),
        other_city=pool_for(world.other_city),
    )


@pytest.fixture
def teacher(pools):
    """A provincial instructor (教授: 正高级) with its own log-in."""
    return lecturer(pools.province, username="teacher", title="教授")


@pytest.fixture
def secretary(world):
    return world.secretary(world.branch, username="sec", full_name="王书记")
