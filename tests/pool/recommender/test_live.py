"""The per-process index: built once, kept current through stamps in the database, never rebuilt per request."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from pool.models import IndexChange, IndexVersion, Instructor
from pool.recommender import freshness
from pool.recommender.freshness import index_touch, read_version
from pool.recommender.live import LIVE, LiveIndex
from pool.services import instructor_update, topic_create
from tests.pool.recommender.factories import ECOMMERCE, FIRST_AID, LAW, pools_of, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_pool(world):
    return pools_of(world).county


def fit_of(snapshot, need: str, instructor) -> float:
    """Topic fit relative to the best instructor of the index."""
    return float(snapshot.index.assess(need).fit[snapshot.index.row_of(instructor.pk)])


def matched(snapshot, need: str, instructor) -> list[str]:
    return snapshot.index.explain(need, instructor.pk).matched_terms


def test_the_index_is_built_once_and_then_only_checked(county_pool, django_assert_num_queries):
    teacher(county_pool, FIRST_AID)
    first = LIVE.current()

    with django_assert_num_queries(2):  # the version row and the fingerprint
        again = LIVE.current()

    assert again is first
    assert (first.full_build, len(first.index)) == (True, 1)


def test_the_fingerprint_is_read_at_most_every_few_seconds(county_pool, settings, django_assert_num_queries):
    settings.RECOMMENDER = {**settings.RECOMMENDER, "FINGERPRINT_SECONDS": 60}
    teacher(county_pool, FIRST_AID)
    first = LIVE.current()

    with django_assert_num_queries(1):  # the version row only
        assert LIVE.current() is first


def test_a_change_in_one_process_reaches_every_other_process(county_pool, django_capture_on_commit_callbacks):
    law = teacher(county_pool, LAW)
    teacher(county_pool, ECOMMERCE)
    web_1, web_2 = LiveIndex(), LiveIndex()
    before_1, before_2 = web_1.current(), web_2.current()
    assert "宅基地纠纷" not in matched(before_1, "宅基地纠纷", law)

    with django_capture_on_commit_callbacks(execute=True):  # a third process (or a worker) writes
        topic_create(instructor=law, actor=None, title="农村宅基地纠纷化解")

    after_1, after_2 = web_1.current(), web_2.current()
    assert (after_1.version, after_2.version) == (before_1.version + 1, before_2.version + 1)
    assert (after_1.full_build, after_2.full_build) == (False, False)
    assert matched(after_1, "宅基地纠纷", law) == matched(after_2, "宅基地纠纷", law)
    assert matched(after_1, "宅基地纠纷", law)[0] == "宅基地纠纷"
    assert list(IndexChange.objects.values_list("instructor_ids", "change")) == [([law.pk], "topics")]


def test_an_update_equals_a_rebuild(county_pool, django_capture_on_commit_callbacks):
    law = teacher(county_pool, LAW)
    aid = teacher(county_pool, FIRST_AID)
    LIVE.current()

    with django_capture_on_commit_callbacks(execute=True):
        instructor_update(instructor=aid, actor=None, bio="急救中心医师，也讲农村宅基地纠纷的调解。")
    updated = LIVE.current()
    rebuilt = LiveIndex().current()

    need = "宅基地纠纷怎么调解"
    assert updated.full_build is False
    assert updated.index.fit_scores(need) == pytest.approx(rebuilt.index.fit_scores(need))
    assert sorted(updated.instructors) == sorted([law.pk, aid.pk])


def test_writes_that_bypass_the_services_are_noticed_by_the_fingerprint(county_pool):
    aid = teacher(county_pool, FIRST_AID)
    law = teacher(county_pool, LAW)
    before = LIVE.current()

    Instructor.objects.filter(pk=aid.pk).update(
        bio="讲授农村宅基地纠纷化解。", updated_at=timezone.now() + timezone.timedelta(seconds=1)
    )
    Instructor.objects.filter(pk=law.pk).update(status=Instructor.Status.SUSPENDED)
    after = LIVE.current()

    assert after.version == before.version  # no signal was sent
    assert (after.full_build, sorted(after.instructors)) == (False, [aid.pk])
    assert fit_of(after, "宅基地纠纷", aid) == pytest.approx(1.0)


def test_a_process_too_far_behind_rebuilds(county_pool, monkeypatch):
    someone = teacher(county_pool, FIRST_AID)
    before = LIVE.current()
    monkeypatch.setattr(freshness, "CHANGES_KEPT", 2)

    for _ in range(3):
        freshness.version_bump(instructor_ids=[someone.pk], change="profile")
    after = LIVE.current()

    assert sorted(IndexChange.objects.values_list("version", flat=True)) == [2, 3]
    assert (after.version, after.full_build) == (before.version + 3, True)


def test_another_database_rebuilds_even_with_equal_version_numbers(county_pool):
    teacher(county_pool, FIRST_AID)
    before = LIVE.current()

    IndexVersion.objects.all().delete()
    after = LIVE.current()

    assert after.version == before.version == 0
    assert after.token != before.token
    assert after.full_build is True


def test_index_touch_bumps_after_commit_and_not_on_rollback(county_pool, django_capture_on_commit_callbacks):
    someone = teacher(county_pool, FIRST_AID)
    _token, start = read_version()

    with django_capture_on_commit_callbacks(execute=True) as rolled_back:
        try:
            with transaction.atomic():
                index_touch(instructor_ids=[someone.pk])
                raise RuntimeError("the lecture could not be saved")
        except RuntimeError:
            pass
    with django_capture_on_commit_callbacks(execute=True):
        index_touch(instructor_ids=[someone.pk, someone.pk])

    assert rolled_back == []
    assert read_version()[1] == start + 1
    assert IndexChange.objects.get().instructor_ids == [someone.pk]
    assert IndexChange.objects.get().change == "lectures"


def test_changed_weights_apply_without_analysing_again(county_pool):
    teacher(county_pool, FIRST_AID)
    before = LIVE.current()

    with override_settings(RECOMMENDER={"WEIGHTS": {"category": 0.3}}):
        after = LIVE.current()

    assert after.index.config.category_weight == 0.3
    assert before.index.config.category_weight == 0.1
    assert after.full_build is False
