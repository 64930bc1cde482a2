"""instructor_recommend: topic fit blended with bookable pools, availability, ratings and load."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pool.models import Instructor
from pool.recommender.ranking import instructor_recommend
from pool.services import instructor_rating_summary_set, instructor_transition, pool_update
from tests.pool.recommender.factories import (
    ECOMMERCE,
    ELDERLY,
    FIRST_AID,
    LAW,
    PARTY_HISTORY,
    pools_of,
    teacher,
)

pytestmark = pytest.mark.django_db

LEFT_BEHIND_ELDERLY = "村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人"


@pytest.fixture
def pools(world):
    return pools_of(world)


@pytest.fixture
def secretary(world):
    return world.secretary(world.branch)


def ids(result) -> list[int]:
    return [item.id for item in result.results]


def test_colloquial_need_finds_the_instructor_whose_bio_has_the_formal_term(pools, secretary):
    elderly = teacher(pools.county, ELDERLY)
    for profile in (ECOMMERCE, FIRST_AID, PARTY_HISTORY, LAW):
        teacher(pools.county, profile)

    result = instructor_recommend(actor=secretary, need=LEFT_BEHIND_ELDERLY)

    best = result.results[0]
    assert best.id == elderly.pk
    assert best.topic.matched_terms == best.topic.matched_by_field["bio"]
    assert "居家养老服务" in best.topic.matched_terms
    assert best.topic.expanded_from["居家养老服务"] == "留守老人"
    assert result.inferred_category == "management"


def test_a_branch_never_gets_an_instructor_it_may_not_book(world, pools, secretary):
    bookable = [teacher(p, FIRST_AID) for p in (pools.province, pools.city, pools.county)]
    for p in (pools.sibling_county, pools.other_city):
        teacher(p, FIRST_AID)

    result = instructor_recommend(actor=secretary, need="心肺复苏培训，让党员都学会救人", branch=world.branch)

    assert sorted(ids(result)) == sorted(i.pk for i in bookable)


def test_without_a_branch_every_active_instructor_is_ranked(pools, secretary):
    everyone = [teacher(p, FIRST_AID) for p in (pools.province, pools.county, pools.other_city)]

    result = instructor_recommend(actor=secretary, need="心肺复苏培训")

    assert sorted(ids(result)) == sorted(i.pk for i in everyone)


def test_a_branch_outside_the_jurisdiction_is_refused(world, pools, secretary):
    teacher(pools.county, FIRST_AID)

    with pytest.raises(PermissionDenied):
        instructor_recommend(actor=secretary, need="心肺复苏", branch=world.other_city_branch)


def test_an_instructor_blocked_on_the_date_ranks_below_an_equal_fit(pools, secretary, blocked_days):
    blocked = teacher(pools.county, FIRST_AID, name="甲")
    free = teacher(pools.county, FIRST_AID, name="乙")
    day = timezone.localdate() + timedelta(days=10)
    blocked_days[(blocked.pk, day)] = "已有讲座"

    undated = instructor_recommend(actor=secretary, need="心肺复苏培训")
    dated = instructor_recommend(actor=secretary, need="心肺复苏培训", day=day)

    assert ids(undated) == [blocked.pk, free.pk]  # equal fit: the lower id first
    assert ids(dated) == [free.pk, blocked.pk]
    assert (dated.results[1].available, dated.results[1].unavailable_reason) == (False, "已有讲座")
    assert dated.results[1].parts["availability"] == -1.0
    assert (dated.results[0].available, dated.results[0].parts["availability"]) == (True, 0.0)


def test_ratings_shrink_toward_the_pool_mean_and_no_ratings_is_no_penalty(pools, secretary):
    unrated, good, poor = (teacher(pools.county, FIRST_AID) for _ in range(3))
    year = timezone.localdate().year
    instructor_rating_summary_set(
        instructor=good, year=year, count=20, mean=Decimal("4.8"), shrunk_score=Decimal("4.7")
    )
    instructor_rating_summary_set(
        instructor=poor, year=year, count=20, mean=Decimal("3.8"), shrunk_score=Decimal("3.9")
    )

    result = instructor_recommend(actor=secretary, need="心肺复苏培训")

    assert ids(result) == [good.pk, unrated.pk, poor.pk]
    by_id = {item.id: item for item in result.results}
    assert by_id[unrated.pk].parts["rating"] == 0.0
    assert by_id[unrated.pk].rating is None
    good_rating = by_id[good.pk].rating
    assert (good_rating.count, good_rating.mean, good_rating.pool_mean) == (20, pytest.approx(4.8), pytest.approx(4.3))
    assert good_rating.adjusted == pytest.approx((20 * 4.8 + 5 * 4.3) / 25)
    assert by_id[good.pk].parts["rating"] == pytest.approx(0.1 * (good_rating.adjusted - 4.3), abs=1e-4)


def test_load_spreads_lectures_over_equal_fits(pools, secretary, lecture_load):
    busy = teacher(pools.county, FIRST_AID)
    idle = teacher(pools.county, FIRST_AID)
    lecture_load[busy.pk] = 2

    result = instructor_recommend(actor=secretary, need="心肺复苏培训")

    assert ids(result) == [idle.pk, busy.pk]
    assert result.results[1].load == 2
    assert result.results[1].parts["load"] == pytest.approx(-0.05)


def test_score_is_the_sum_of_its_parts(pools, secretary, blocked_days, lecture_load):
    someone = teacher(pools.county, FIRST_AID)
    day = timezone.localdate() + timedelta(days=3)
    blocked_days[(someone.pk, day)] = "休假"
    lecture_load[someone.pk] = 1

    item = instructor_recommend(actor=secretary, need="急救培训", day=day).results[0]

    assert item.score == pytest.approx(sum(item.parts.values()), abs=2e-4)
    assert set(item.parts) == {"topic", "category", "availability", "rating", "load"}


def test_suspended_instructors_and_inactive_pools_are_not_recommended(
    pools, secretary, django_capture_on_commit_callbacks
):
    kept = teacher(pools.county, FIRST_AID)
    suspended = teacher(pools.county, FIRST_AID)
    closed_pool_member = teacher(pools.city, FIRST_AID)
    assert sorted(ids(instructor_recommend(actor=secretary, need="心肺复苏"))) == sorted(
        [kept.pk, suspended.pk, closed_pool_member.pk]
    )

    with django_capture_on_commit_callbacks(execute=True):
        instructor_transition(instructor=suspended, actor=None, to_status=Instructor.Status.SUSPENDED, reason="请假")
        city = pools.city
        pool_update(
            pool=city,
            actor=None,
            name=city.name,
            quota_min=city.quota_min,
            quota_max=city.quota_max,
            doc_prefix=city.doc_prefix,
            is_active=False,
        )

    assert ids(instructor_recommend(actor=secretary, need="心肺复苏")) == [kept.pk]


def test_a_need_that_fits_nobody_recommends_nobody(pools, secretary):
    teacher(pools.county, FIRST_AID)

    assert instructor_recommend(actor=secretary, need="！？😀 hello").results == []
    assert instructor_recommend(actor=secretary, need="！？😀 hello").inferred_category is None


def test_k_limits_the_results(pools, secretary):
    for _ in range(5):
        teacher(pools.county, FIRST_AID)

    assert len(instructor_recommend(actor=secretary, need="心肺复苏", k=3).results) == 3


def test_past_lecture_titles_count_for_the_fit(pools, secretary, given_lectures):
    lawyer = teacher(pools.county, LAW)
    other = teacher(pools.county, LAW)
    given_lectures[other.pk] = ["农村土地承包经营权纠纷调解"]

    result = instructor_recommend(actor=secretary, need="土地承包纠纷怎么调解")

    assert ids(result) == [other.pk, lawyer.pk]
    assert result.results[0].topic.matched_by_field["lectures"][:2] == ["土地", "承包"]
    assert "lectures" not in result.results[1].topic.matched_by_field
