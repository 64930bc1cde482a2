from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from notifications.models import Notification
from orgs.errors import ConflictError, DomainError, InvalidTransition
from orgs.models import Organization, Role
from orgs.services import org_create
from pool.models import Category, FeeGrade, Instructor, Level, Pool, RosterEntry, SubArea
from pool.selectors import bookable_instructors, bookable_pools, combined_score, recommendation_get
from pool.services import (
    call_review_start,
    instructor_appoint,
    instructor_create,
    instructor_link_user,
    instructor_rating_summary_set,
    instructor_transition,
    instructor_update,
    pool_create,
    pool_update,
    recommendation_create,
    recommendation_decide,
    review_submit,
    roster_publish,
    suggestion_answer,
    suggestion_send,
    topic_create,
)
from pool.signals import instructor_changed
from tests.factories import UserFactory
from tests.pool.factories import call_for, instructor, pool_for, recommend, reviewed, term

pytestmark = pytest.mark.django_db
S = Instructor.Status


@pytest.fixture
def province_pool(world):
    return pool_for(world.province)


@pytest.fixture
def province_admin(world):
    return world.admin(world.province)


# --- pools and quotas ------------------------------------------------------------------------------


def test_pool_quotas_default_to_the_source(world):
    province, city, county = pool_for(world.province), pool_for(world.city), pool_for(world.county)

    assert [(p.level, p.quota_min, p.quota_max) for p in (province, city, county)] == [
        (Level.PROVINCE, 100, 100),
        (Level.CITY, 100, 100),
        (Level.COUNTY, 30, 50),
    ]
    assert county.name == "南京市江宁区先锋师资库"


def test_a_branch_cannot_run_a_pool(world):
    with pytest.raises(DomainError) as exc:
        pool_create(organization=world.branch, actor=None)

    assert exc.value.field == "organization"


def test_a_unit_pool_is_unit_level(world):
    unit = org_create(parent=world.province, name="省农业农村厅", kind=Organization.Kind.UNIT)

    assert pool_for(unit).level == Level.UNIT


def test_only_an_admin_above_opens_a_pool(world):
    with pytest.raises(PermissionDenied):
        pool_create(organization=world.county, actor=world.admin(world.sibling_county))

    assert pool_create(organization=world.county, actor=world.admin(world.county)).organization == world.county


def test_second_pool_for_an_organization_is_a_conflict(world):
    pool_for(world.city)

    with pytest.raises(ConflictError):
        pool_for(world.city)


def test_appointment_beyond_the_maximum_needs_a_reason(world):
    pool = pool_for(world.county, quota_min=1, quota_max=1)
    instructor(pool)
    reserve = instructor(pool, active=False)
    for status in (S.UNDER_REVIEW, S.RESERVE):
        instructor_transition(instructor=reserve, actor=None, to_status=status)

    with pytest.raises(ConflictError) as exc:
        instructor_transition(instructor=reserve, actor=None, to_status=S.APPOINTED)
    change = instructor_transition(
        instructor=reserve, actor=None, to_status=S.APPOINTED, override_reason="县委常委会决定增补"
    )

    assert exc.value.code == "quota_exceeded"
    assert change.override_reason == "县委常委会决定增补"
    assert pool.instructors.filter(status=S.APPOINTED).count() == 2


def test_a_suspended_instructor_keeps_the_seat(world):
    pool = pool_for(world.county, quota_min=1, quota_max=1)
    member = instructor(pool)
    instructor_transition(instructor=member, actor=None, to_status=S.SUSPENDED, reason="停课整改")

    with pytest.raises(ConflictError):
        instructor(pool)
    instructor_transition(instructor=member, actor=None, to_status=S.APPOINTED, reason="整改完成")

    assert Instructor.objects.get(pk=member.pk).status == S.APPOINTED


def test_a_removal_frees_the_seat_for_a_reserve(world):
    pool = pool_for(world.county, quota_min=1, quota_max=1)
    leaving = instructor(pool)
    reserve = instructor(pool, active=False)
    instructor_transition(instructor=reserve, actor=None, to_status=S.UNDER_REVIEW)
    instructor_transition(instructor=reserve, actor=None, to_status=S.RESERVE)

    instructor_transition(instructor=leaving, actor=None, to_status=S.REMOVED, reason="教学质量评估不佳")
    instructor_transition(instructor=reserve, actor=None, to_status=S.APPOINTED, reason="递补")

    promoted = Instructor.objects.get(pk=reserve.pk)
    assert sorted(pool.instructors.values_list("status", flat=True)) == ["appointed", "removed"]
    assert promoted.letter_number == f"南京市江宁区先锋师资聘〔{timezone.localdate().year}〕001号"
    assert (promoted.agreement_date, promoted.term_start) == (timezone.localdate(), timezone.localdate())
    assert promoted.status_changes.last().reason.endswith("递补")


def test_the_maximum_cannot_drop_below_the_seats_taken(world):
    pool = pool_for(world.county)
    instructor(pool)
    instructor(pool)

    with pytest.raises(DomainError) as exc:
        pool_update(pool=pool, actor=None, name=pool.name, quota_min=0, quota_max=1, doc_prefix="宁")

    assert exc.value.field == "quota_max"


# --- state machine ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "impossible"),
    [
        ([], S.APPOINTED),  # recommended → appointed skips the review
        ([S.UNDER_REVIEW], S.SUSPENDED),
        ([S.UNDER_REVIEW, S.REJECTED], S.UNDER_REVIEW),
    ],
)
def test_impossible_moves_raise_invalid_transition(world, path, impossible):
    candidate = instructor(pool_for(world.province), active=False)
    for status in path:
        instructor_transition(instructor=candidate, actor=None, to_status=status, reason="x")

    with pytest.raises(InvalidTransition):
        instructor_transition(instructor=candidate, actor=None, to_status=impossible, reason="x")

    assert Instructor.objects.get(pk=candidate.pk).status == (path[-1] if path else S.RECOMMENDED)


def test_every_transition_writes_history_with_who_and_why(world, province_admin):
    pool = pool_for(world.province)
    candidate = instructor(pool, active=False)

    instructor_transition(instructor=candidate, actor=province_admin, to_status=S.UNDER_REVIEW, reason="开始评审")
    instructor_transition(instructor=candidate, actor=province_admin, to_status=S.APPROVED, reason="择优确定")
    instructor_appoint(instructor=candidate, actor=province_admin, **term())
    instructor_transition(instructor=candidate, actor=province_admin, to_status=S.SUSPENDED, reason="违反教学纪律")

    rows = list(candidate.status_changes.values_list("from_status", "to_status", "actor", "reason"))
    assert [(r[0], r[1]) for r in rows] == [
        ("", "recommended"),
        ("recommended", "under_review"),
        ("under_review", "approved"),
        ("approved", "appointed"),
        ("appointed", "suspended"),
    ]
    assert {r[2] for r in rows[1:]} == {province_admin.pk}
    assert rows[-1][3] == "违反教学纪律"


def test_suspension_and_removal_need_a_reason(world):
    member = instructor(pool_for(world.province))

    with pytest.raises(DomainError) as exc:
        instructor_transition(instructor=member, actor=None, to_status=S.REMOVED)

    assert exc.value.field == "reason"


def test_only_the_owning_admin_moves_an_instructor(world):
    member = instructor(pool_for(world.county))

    with pytest.raises(PermissionDenied):
        instructor_transition(instructor=member, actor=world.admin(world.city), to_status=S.SUSPENDED, reason="x")


def test_appointment_numbers_letters_per_pool_and_year(world, province_admin):
    pool = pool_for(world.province)
    first, second = instructor(pool, active=False), instructor(pool, active=False)
    for c in (first, second):
        instructor_transition(instructor=c, actor=None, to_status=S.UNDER_REVIEW)
        instructor_transition(instructor=c, actor=None, to_status=S.APPROVED)

    a = instructor_appoint(instructor=first, actor=province_admin, **term())
    b = instructor_appoint(instructor=second, actor=province_admin, **term())

    year = timezone.localdate().year
    assert (a.letter_number, b.letter_number) == (
        f"江苏省先锋师资聘〔{year}〕001号",
        f"江苏省先锋师资聘〔{year}〕002号",
    )
    assert a.status == S.APPOINTED
    assert a.term_end > a.term_start


def test_appointing_a_recommended_candidate_is_impossible(world, province_admin):
    candidate = instructor(pool_for(world.province), active=False)

    with pytest.raises(InvalidTransition):
        instructor_appoint(instructor=candidate, actor=province_admin, **term())

    assert Instructor.objects.get(pk=candidate.pk).letter_number == ""


# --- profile and topics ----------------------------------------------------------------------------


def test_instructor_changes_own_profile_but_not_the_category(world):
    member = instructor(pool_for(world.province))
    user = UserFactory()
    member = instructor_link_user(instructor=member, actor=None, user=user)

    instructor_update(instructor=member, actor=user, bio="新的简介", monthly_limit=2, phone="139 0000 1111")
    with pytest.raises(PermissionDenied):
        instructor_update(instructor=member, actor=user, category=Category.MODELS)

    member.refresh_from_db()
    assert (member.bio, member.monthly_limit, member.phone) == ("新的简介", 2, "13900001111")
    assert member.category == Category.THEORY


def test_linking_an_account_grants_the_instructor_role(world):
    pool = pool_for(world.province)
    user = UserFactory()

    instructor_link_user(instructor=instructor(pool), actor=None, user=user)

    assert list(user.roles.values_list("role", "organization")) == [(Role.INSTRUCTOR, world.province.pk)]


def test_a_malformed_phone_is_refused(world):
    member = instructor(pool_for(world.province))

    with pytest.raises(DomainError) as exc:
        instructor_update(instructor=member, actor=None, phone="12345")

    assert exc.value.field == "phone"


def test_sub_areas_must_belong_to_the_category(world):
    member = instructor(pool_for(world.province), category=Category.THEORY)
    other = SubArea.objects.get(name="区域经济")

    with pytest.raises(DomainError) as exc:
        instructor_update(instructor=member, actor=None, sub_areas=[other.pk])

    assert exc.value.field == "sub_areas"


def test_changing_the_category_clears_the_old_sub_areas(world):
    member = instructor(pool_for(world.province), category=Category.THEORY)
    instructor_update(instructor=member, actor=None, sub_areas=[SubArea.objects.get(name="党史教育").pk])

    instructor_update(instructor=member, actor=None, category=Category.ECONOMY)

    assert list(member.sub_areas.all()) == []


def test_the_six_categories_carry_the_sources_sub_areas():
    assert SubArea.objects.filter(category=Category.ECONOMY).count() == 7
    assert list(SubArea.objects.filter(category=Category.SKILLS).values_list("name", flat=True)) == [
        "实用技术",
        "创业就业技能",
        "医疗保健",
        "心理健康",
    ]
    assert SubArea.objects.count() == 34


@pytest.mark.parametrize(
    ("title", "grade"),
    [("教授", FeeGrade.FULL_SENIOR), ("副主任医师", FeeGrade.ASSOCIATE_SENIOR), ("讲师", FeeGrade.OTHER)],
)
def test_fee_grade_follows_the_title(world, title, grade):
    assert instructor(pool_for(world.province), title=title).fee_grade == grade


def test_changes_send_instructor_changed_after_commit(world, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, instructor_ids, change, **kwargs):
        received.append((instructor_ids, change))

    instructor_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            member = instructor(pool_for(world.province))
        with django_capture_on_commit_callbacks(execute=True):
            topic_create(instructor=member, actor=None, title="新专题")
        with django_capture_on_commit_callbacks(execute=True):
            instructor_transition(instructor=member, actor=None, to_status=S.SUSPENDED, reason="x")
    finally:
        instructor_changed.disconnect(listener)

    assert received == [([member.pk], "created"), ([member.pk], "topics"), ([member.pk], "status")]


def test_rating_summary_is_stored_once_a_year(world):
    member = instructor(pool_for(world.province))

    instructor_rating_summary_set(instructor=member, year=2026, count=3, mean=Decimal("4.5"), shrunk_score=4.1)
    summary = instructor_rating_summary_set(
        instructor=member, year=2026, count=5, mean=Decimal("4.6"), shrunk_score=Decimal("4.3")
    )

    assert list(member.rating_summaries.values_list("year", "count")) == [(2026, 5)]
    assert (summary.mean, summary.shrunk_score) == (Decimal("4.60"), Decimal("4.30"))


# --- intake ----------------------------------------------------------------------------------------


def test_a_call_notifies_the_admins_of_the_units_below(world, province_admin):
    city_admin = world.admin(world.city)
    county_admin = world.admin(world.county)

    call = call_for(pool_for(world.province), province_admin)

    notification = Notification.objects.get(kind="pool_call_published")
    assert sorted(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [
        city_admin.pk
    ]
    assert county_admin.pk not in notification.deliveries.values_list("recipient", flat=True)
    assert call.wanted() == [("理论政策", 1), ("经济发展", 2)]


def test_a_call_in_the_past_or_without_counts_is_refused(world, province_admin):
    pool = pool_for(world.province)

    with pytest.raises(DomainError) as past:
        call_for(pool, province_admin, deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(DomainError) as empty:
        call_for(pool, province_admin, category_counts={Category.ECONOMY: 0})

    assert (past.value.field, empty.value.field) == ("deadline", "category_counts")


def test_a_recommendation_needs_the_candidates_consent(world, province_admin):
    call = call_for(pool_for(world.province), province_admin)
    secretary = world.secretary(world.branch)

    with pytest.raises(DomainError) as exc:
        recommendation_create(
            call=call,
            actor=secretary,
            recommending_org=world.branch,
            candidate={"name": "甲", "gender": "male", "category": Category.ECONOMY},
            topics=[{"title": "t"}],
            consent_given=False,
            consent_method="signed_form",
            consent_date=timezone.localdate(),
        )

    assert exc.value.field == "consent_given"
    assert not Instructor.objects.exists()


def test_a_secretary_recommends_for_its_own_branch_only(world, province_admin):
    call = call_for(pool_for(world.province), province_admin)
    secretary = world.secretary(world.branch)

    with pytest.raises(DomainError):
        recommend(call, secretary, world.sibling_branch)
    recommendation = recommend(call, secretary, world.branch)

    assert recommendation.instructor.status == S.RECOMMENDED
    assert recommendation.instructor.pool == call.pool
    assert list(recommendation.instructor.status_changes.values_list("actor", flat=True)) == [secretary.pk]


def test_a_unit_outside_the_pool_cannot_recommend(world):
    county_admin = world.admin(world.county)
    call = call_for(pool_for(world.county), county_admin)

    with pytest.raises(PermissionDenied):
        recommend(call, world.secretary(world.other_city_branch), world.other_city_branch)


def test_a_closed_call_takes_no_recommendations(world, province_admin):
    from pool.services import call_close

    call = call_close(call=call_for(pool_for(world.province), province_admin), actor=province_admin)

    with pytest.raises(PermissionDenied):
        recommend(call, world.secretary(world.branch), world.branch)


def test_the_combined_score_weighs_the_reviewers_means(world, province_admin):
    second_reviewer = UserFactory()
    call = call_for(pool_for(world.province), province_admin, reviewers=[province_admin, second_reviewer])
    rec = recommend(call, world.admin(world.city), world.city)

    reviewed(call, rec, [(province_admin, (80, 90, 70)), (second_reviewer, (90, 70, 80))])

    # means 85 / 80 / 75, weights 30 / 40 / 30
    assert combined_score(recommendation_get(actor=province_admin, pk=rec.pk)) == Decimal("80.00")


def test_only_named_reviewers_score_and_only_under_review(world, province_admin):
    call = call_for(pool_for(world.province), province_admin)
    rec = recommend(call, world.admin(world.city), world.city)

    with pytest.raises(ConflictError):
        review_submit(recommendation=rec, reviewer=province_admin, score_basic=1, score_teaching=1, score_research=1)
    call_review_start(call=call, actor=province_admin)
    with pytest.raises(PermissionDenied):
        review_submit(recommendation=rec, reviewer=UserFactory(), score_basic=1, score_teaching=1, score_research=1)
    with pytest.raises(DomainError) as exc:
        review_submit(recommendation=rec, reviewer=province_admin, score_basic=101, score_teaching=1, score_research=1)

    assert exc.value.field == "score_basic"


def test_approval_needs_a_review_and_keeps_the_score(world, province_admin):
    call = call_for(pool_for(world.province), province_admin)
    rec = recommend(call, world.admin(world.city), world.city)
    call_review_start(call=call, actor=province_admin)

    with pytest.raises(ConflictError):
        recommendation_decide(recommendation=rec, actor=province_admin, decision="approve")
    review_submit(recommendation=rec, reviewer=province_admin, score_basic=90, score_teaching=80, score_research=70)
    instructor_ = recommendation_decide(recommendation=rec, actor=province_admin, decision="approve", reason="择优")

    rec.refresh_from_db()
    assert instructor_.status == S.APPROVED
    assert rec.decision_score == Decimal("80.00")


def test_intake_end_to_end_through_the_services(world, province_admin):
    pool = pool_for(world.province)
    city_admin = world.admin(world.city)
    call = call_for(pool, province_admin)
    rec = recommend(call, city_admin, world.city, name="新讲师")
    reviewed(call, rec, [(province_admin, (90, 90, 90))])
    recommendation_decide(recommendation=rec, actor=province_admin, decision="approve")
    roster_publish(pool=pool, actor=province_admin)

    appointed = instructor_appoint(instructor=rec.instructor, actor=province_admin, **term())
    version = roster_publish(pool=pool, actor=province_admin, title="第二版")

    assert appointed.status == S.APPOINTED
    assert version.version == 2
    assert list(version.entries.values_list("name", "change")) == [("新讲师", RosterEntry.Change.ADDED)]
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"pool_recommendation_received", "pool_review_requested", "pool_recommendation_decided"} <= kinds
    assert "pool_candidate_appointed" in kinds


def test_rejection_needs_a_reason(world, province_admin):
    call = call_for(pool_for(world.province), province_admin)
    rec = recommend(call, world.admin(world.city), world.city)

    with pytest.raises(DomainError):
        recommendation_decide(recommendation=rec, actor=province_admin, decision="reject")
    recommendation_decide(recommendation=rec, actor=province_admin, decision="reject", reason="专业方向不符")

    assert Instructor.objects.get(pk=rec.instructor_id).status == S.REJECTED


# --- rosters ---------------------------------------------------------------------------------------


def test_roster_versions_record_who_was_added_and_removed(world, province_admin):
    pool = pool_for(world.province)
    stays, leaves = instructor(pool, name="留任"), instructor(pool, name="调出")
    first = roster_publish(pool=pool, actor=province_admin)
    instructor_transition(instructor=leaves, actor=province_admin, to_status=S.REMOVED, reason="调离")
    joins = instructor(pool, name="新增")

    second = roster_publish(pool=pool, actor=province_admin)

    year = timezone.localdate().year
    assert (first.number, second.number) == (f"江苏省先锋师资〔{year}〕1号", f"江苏省先锋师资〔{year}〕2号")
    assert sorted(second.entries.values_list("name", "change")) == sorted(
        [("留任", "kept"), ("新增", "added"), ("调出", "removed")]
    )
    assert (second.size, second.added_count, second.removed_count) == (2, 1, 1)
    assert stays.pk in second.entries.values_list("instructor", flat=True)
    assert joins.pk not in first.entries.values_list("instructor", flat=True)


def test_a_published_roster_does_not_change_when_an_instructor_does(world, province_admin):
    pool = pool_for(world.province)
    member = instructor(pool, name="原名")
    version = roster_publish(pool=pool, actor=province_admin)

    instructor_update(instructor=member, actor=None, name="新名")

    assert list(version.entries.values_list("name", flat=True)) == ["原名"]


# --- suggestions -----------------------------------------------------------------------------------


def test_suggestion_goes_to_the_pools_admins_and_the_answer_back(world, province_admin):
    user = UserFactory()
    member = instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)

    suggestion = suggestion_send(instructor=member, actor=user, about="teaching", subject="建议", body="内容")
    with pytest.raises(PermissionDenied):
        suggestion_answer(suggestion=suggestion, actor=world.admin(world.city), answer="答复")
    answered = suggestion_answer(suggestion=suggestion, actor=province_admin, answer="已采纳")

    assert answered.status == "answered"
    sent = Notification.objects.filter(kind__startswith="pool_suggestion").order_by("id")
    assert [n.kind for n in sent] == ["pool_suggestion_received", "pool_suggestion_answered"]
    assert list(sent[1].deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [user.pk]


def test_only_the_instructor_sends_its_suggestions(world):
    member = instructor(pool_for(world.province))

    with pytest.raises(PermissionDenied):
        suggestion_send(instructor=member, actor=UserFactory(), about="teaching", subject="s", body="b")


# --- bookable pools --------------------------------------------------------------------------------


def test_a_branch_books_from_its_county_city_and_province_and_its_unit(world):
    unit = org_create(parent=world.county, name="江宁开发区", kind=Organization.Kind.UNIT)
    unit_branch = org_create(parent=unit, name="开发区机关党支部", kind=Organization.Kind.BRANCH)
    province, city, county = pool_for(world.province), pool_for(world.city), pool_for(world.county)
    unit_pool = pool_for(unit)
    pool_for(world.sibling_county)
    pool_for(world.other_city)

    assert set(bookable_pools(world.branch)) == {province, city, county}
    assert set(bookable_pools(unit_branch)) == {province, city, county, unit_pool}
    assert set(bookable_pools(world.other_city_branch)) == {province, Pool.objects.get(organization=world.other_city)}


def test_bookable_instructors_are_the_active_ones_of_those_pools(world):
    county = pool_for(world.county)
    active, candidate = instructor(county), instructor(county, active=False)
    instructor(pool_for(world.sibling_county))

    assert list(bookable_instructors(world.branch)) == [active]
    assert candidate.status == S.RECOMMENDED


def test_direct_entry_is_for_the_pools_admin(world):
    pool = pool_for(world.county)

    with pytest.raises(PermissionDenied):
        instructor_create(
            pool=pool, actor=world.admin(world.sibling_county), name="x", gender="male", category="theory"
        )
