"""The shared response cache's rules (orgs/cache.py): answers stay until a write that touches their
namespace commits; a rolled-back write changes nothing; the cache failing fails nothing."""

from unittest import mock

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction

from orgs import cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("response_cache")]


def counter():
    """A computation that answers how many times it ran."""
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute


def test_an_answer_is_computed_once_until_its_namespace_is_bumped(django_capture_on_commit_callbacks):
    compute = counter()
    assert cache.cached(["a"], ("x",), compute) == 1
    assert cache.cached(["a"], ("x",), compute) == 1
    assert cache.cached(["a"], ("y",), compute) == 2  # other parts, other answer
    with django_capture_on_commit_callbacks(execute=True):
        cache.bump("b")
    assert cache.cached(["a"], ("x",), compute) == 1  # another namespace
    with django_capture_on_commit_callbacks(execute=True):
        cache.bump("a")
    assert cache.cached(["a"], ("x",), compute) == 3


def test_the_bump_waits_for_the_commit_and_a_rollback_keeps_the_answers(django_capture_on_commit_callbacks):
    compute = counter()
    assert cache.cached(["a"], ("x",), compute) == 1
    with django_capture_on_commit_callbacks(execute=True):
        cache.bump("a")
        assert cache.cached(["a"], ("x",), compute) == 1  # not yet: others cannot see the write either
    assert cache.cached(["a"], ("x",), compute) == 2

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        cache.bump("a")
        raise Boom
    assert callbacks == []
    assert cache.cached(["a"], ("x",), compute) == 2


def test_invalidate_all_and_a_disabled_cache(settings):
    compute = counter()
    assert cache.cached(["a"], ("x",), compute) == 1
    cache.invalidate_all()
    assert cache.cached(["a"], ("x",), compute) == 2
    settings.RESPONSE_CACHE = False
    assert cache.cached(["a"], ("x",), compute) == 3
    assert cache.cached(["a"], ("x",), compute) == 4


def test_a_failing_cache_computes_and_lets_writes_commit(django_capture_on_commit_callbacks):
    compute = counter()
    down = ConnectionError("redis down")
    with (
        mock.patch.object(django_cache, "get_many", side_effect=down),
        mock.patch.object(django_cache, "incr", side_effect=down),
        mock.patch.object(django_cache, "set", side_effect=down),
    ):
        assert cache.cached(["a"], ("x",), compute) == 1
        assert cache.cached(["a"], ("x",), compute) == 2
        with django_capture_on_commit_callbacks(execute=True):
            cache.bump("a")  # the callback after the commit swallows the failure
    assert cache.cached(["a"], ("x",), compute) == 3
