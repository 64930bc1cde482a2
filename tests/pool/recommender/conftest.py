"""Fixtures of the recommender tests: the small pool's index, a fresh live index, test providers."""

from __future__ import annotations

import pytest

from pool.recommender import TopicIndex
from pool.recommender.live import LIVE
from pool.registry import AVAILABILITY_PROVIDERS, LECTURE_TITLE_PROVIDERS, LOAD_PROVIDERS
from tests.pool.recommender.small_pool import SMALL_POOL


@pytest.fixture(scope="session")
def small_index() -> TopicIndex:
    return TopicIndex.build(list(SMALL_POOL))


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    """Each test starts with a process that has not built its index yet and reads every stamp on
    every request (in production the fingerprint is read at most every few seconds)."""
    settings.RECOMMENDER = {**settings.RECOMMENDER, "FINGERPRINT_SECONDS": 0}
    LIVE.reset()
    yield
    LIVE.reset()


@pytest.fixture
def blocked_days():
    """A test availability provider (as booking registers one): ``blocked_days[(id, date)] = reason``."""
    blocked: dict = {}

    def provider(ids, day):
        return {pk: reason for (pk, d), reason in blocked.items() if d == day and pk in ids}

    AVAILABILITY_PROVIDERS.append(provider)
    yield blocked
    AVAILABILITY_PROVIDERS.remove(provider)


@pytest.fixture
def lecture_load():
    """A test load provider: ``lecture_load[id] = lectures around any date``."""
    load: dict = {}

    def provider(ids, day):
        return {pk: n for pk, n in load.items() if pk in ids}

    LOAD_PROVIDERS.append(provider)
    yield load
    LOAD_PROVIDERS.remove(provider)


@pytest.fixture
def given_lectures():
    """A test lecture-titles provider: ``given_lectures[id] = [title, …]``."""
    titles: dict = {}

    def provider(ids):
        return {pk: t for pk, t in titles.items() if pk in ids}

    LECTURE_TITLE_PROVIDERS.append(provider)
    yield titles
    LECTURE_TITLE_PROVIDERS.remove(provider)
