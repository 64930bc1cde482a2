import pytest

from orgs.seed import build_divisions
from pool.seed import ensure_pools
from pool.services import instructors_import
from tests.pool.factories import SAMPLE


@pytest.fixture
def divisions(db):
    """The real province: 江苏省, its 13 cities and 95 counties, keyed "南京市" and "南京市/鼓楼区"."""
    return build_divisions()


@pytest.fixture
def pools(divisions):
    """The provincial pool, the city pools and the county pools the sample file names."""
    return ensure_pools()


@pytest.fixture
def sample_imported(pools):
    return instructors_import(data=SAMPLE.read_bytes(), filename=SAMPLE.name, actor=None)
