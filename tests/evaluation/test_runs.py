"""The yearly evaluation: computed by a task, decided and confirmed by the pool's admin, applied through
the pool's state machine, booking's cancellations and a new roster version."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from booking.models import Booking
from evaluation import rules, services
from evaluation.models import DisciplineIncident, EvaluationRun, Outcome, Proposal
from notifications.models import Delivery
from orgs.errors import ConflictError, DomainError
from pool.models import Instructor, RatingSummary, RosterEntry
from pool.services import instructor_create, instructor_transition, roster_publish
from tests.booking.factories import at, lecturer, weekday_after
from tests.evaluation.factories import attendee, delivered, rate, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_ratings(world, pools, secretary, settings):
    """The provincial pool after a year: A excellent (3 lectures), B poor with 12 ratings and a lecture
    booked next month, C poor with 3 ratings, D unrated, R a reserve."""
    settings.EVALUATION = {"REWARD_SHARE": 0.34, "MIN_RATINGS_TO_REMOVE": 10, "PRIOR_WEIGHT": 5}
    people = SimpleNamespace(
        a=lecturer(pools.province, username="teacher_a", name="甲讲师"),
        b=lecturer(pools.province, username="teacher_b", name="乙讲师"),
        c=lecturer(pools.province, username="teacher_c", name="丙讲师"),
        d=lecturer(pools.province, username="teacher_d", name="丁讲师"),
    )
    crowd = [attendee(world.branch)[0] for _ in range(12)]
    for n in range(3):
        lecture = delivered(world.branch, people.a, days_ago=2 + n, hour=8)
        for user in crowd[n * 4 : n * 4 + 4]:
            rate(lecture, user, (5, 5, 5))
    lecture_b = delivered(world.branch, people.b, days_ago=2, hour=14)
    for user in crowd:
        rate(lecture_b, user, (2, 2, 2))
    lecture_c = delivered(world.branch, people.c, days_ago=3, hour=14)
    for user in crowd[:3]:
        rate(lecture_c, user, (1, 1, 1))
    people.year = window(lecture_b).year
    day = weekday_after(20)
    people.upcoming = Booking.objects.create(
        branch=world.branch,
        instructor=people.b,
        topic="下月的党课",
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        class_hours=2,
        audience_size=30,
        status=Booking.Status.ACCEPTED,
        requested_by=secretary,
    )
    people.r = instructor_create(pool=pools.province, actor=None, name="后备甲", gender="male", category="theory")
    for step in (Instructor.Status.UNDER_REVIEW, Instructor.Status.RESERVE):
        instructor_transition(instructor=people.r, actor=None, to_status=step, reason="后备")
    roster_publish(pool=pools.province, actor=None)
    people.admin = world.admin(world.province, username="prov_admin")
    people.pool = pools.province
    return people


def start(people, django_capture_on_commit_callbacks, actor=None) -> EvaluationRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(pool=people.pool, year=people.year, actor=actor or people.admin)
    return EvaluationRun.objects.get(pk=run.pk)


def proposals(run) -> dict[str, str]:
    return {p.instructor.name: p.proposed for p in run.proposals.select_related("instructor")}


def test_the_run_proposes_and_nothing_changes_until_confirmed(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings

    run = start(people, django_capture_on_commit_callbacks)

    assert (run.status, run.progress, run.rating_count, run.rated_count) == ("proposed", 100, 27, 3)
    assert proposals(run) == {
        "甲讲师": Outcome.REWARD,
        "乙讲师": Outcome.REMOVE,
        "丙讲师": Outcome.WARN,
        "丁讲师": Outcome.KEEP,
        "后备甲": Outcome.PROMOTE,
    }
    assert list(run.status_changes.values_list("to_status", flat=True)) == ["queued", "computing", "proposed"]
    b = run.proposals.get(instructor=people.b)
    assert (b.rating_count, b.mean, b.lecture_count, b.rank) == (12, rules.mean_of(72, 12), 1, 3)
    assert Instructor.objects.get(pk=people.b.pk).status == Instructor.Status.APPOINTED
    assert Booking.objects.get(pk=people.upcoming.pk).status == Booking.Status.ACCEPTED
    assert RatingSummary.objects.get(instructor=people.b, year=people.year).count == 12


def test_confirming_removes_cancels_promotes_and_publishes(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)
    last = people.pool.roster_versions.order_by("-version").first()

    assert services.proposals_accept_all(run=run, actor=people.admin) == 5
    run = services.run_confirm(run=run, actor=people.admin)

    assert Instructor.objects.get(pk=people.b.pk).status == Instructor.Status.REMOVED
    assert Instructor.objects.get(pk=people.r.pk).status == Instructor.Status.APPOINTED
    assert Instructor.objects.get(pk=people.c.pk).status == Instructor.Status.APPOINTED
    cancelled = Booking.objects.get(pk=people.upcoming.pk)
    assert cancelled.status == Booking.Status.CANCELLED
    told = Delivery.objects.filter(
        notification__kind="booking_cancelled", notification__payload__booking_id=cancelled.pk, channel="inapp"
    )
    assert sorted(d.recipient.username for d in told) == ["sec", "teacher_b"]
    roster = run.roster
    assert roster.version == last.version + 1
    listed = set(roster.entries.exclude(change=RosterEntry.Change.REMOVED).values_list("instructor__name", flat=True))
    assert listed == {"甲讲师", "丙讲师", "丁讲师", "后备甲"}
    assert list(roster.entries.filter(change=RosterEntry.Change.REMOVED).values_list("name", flat=True)) == ["乙讲师"]
    assert (run.status, run.confirmed_by) == ("confirmed", people.admin)
    kinds = {
        d.recipient.username: d.notification.kind
        for d in Delivery.objects.filter(
            channel="inapp", notification__kind__in=["evaluation_reward", "evaluation_warning"]
        )
    }
    assert kinds == {"teacher_a": "evaluation_reward", "teacher_c": "evaluation_warning"}
    assert Proposal.objects.filter(run=run, applied_at__isnull=True).count() == 0


def test_an_override_needs_a_reason_and_wins(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)
    b = run.proposals.get(instructor=people.b)

    with pytest.raises(DomainError) as missing:
        services.proposal_decide(proposal=b, actor=people.admin, decision=Outcome.KEEP)
    services.proposal_decide(proposal=b, actor=people.admin, decision=Outcome.KEEP, reason="评价集中在一次临时调课")
    r = run.proposals.get(instructor=people.r)
    services.proposal_decide(proposal=r, actor=people.admin, decision=Outcome.STAY_RESERVE, reason="无空缺")
    services.proposals_accept_all(run=run, actor=people.admin)
    run = services.run_confirm(run=run, actor=people.admin)

    assert missing.value.field == "reason"
    assert Instructor.objects.get(pk=people.b.pk).status == Instructor.Status.APPOINTED
    assert Instructor.objects.get(pk=people.r.pk).status == Instructor.Status.RESERVE
    assert Booking.objects.get(pk=people.upcoming.pk).status == Booking.Status.ACCEPTED
    assert run.roster is None  # nobody left or joined: no new roster version


def test_a_decision_outside_the_instructors_outcomes_is_refused(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)

    with pytest.raises(DomainError) as refused:
        services.proposal_decide(
            proposal=run.proposals.get(instructor=people.a), actor=people.admin, decision=Outcome.PROMOTE, reason="x"
        )

    assert refused.value.field == "decision"


def test_confirm_is_refused_while_proposals_are_undecided(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)

    with pytest.raises(ConflictError) as refused:
        services.run_confirm(run=run, actor=people.admin)

    assert refused.value.code == "undecided"
    assert EvaluationRun.objects.get(pk=run.pk).status == "proposed"


def test_confirm_is_refused_when_the_pool_changed_since_the_computation(
    year_of_ratings, django_capture_on_commit_callbacks
):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)
    services.proposals_accept_all(run=run, actor=people.admin)
    instructor_transition(instructor=people.d, actor=None, to_status=Instructor.Status.SUSPENDED, reason="停课")

    with pytest.raises(ConflictError) as refused:
        services.run_confirm(run=run, actor=people.admin)

    assert refused.value.code == "stale"
    assert Instructor.objects.get(pk=people.b.pk).status == Instructor.Status.APPOINTED


def test_recompute_keeps_decisions_whose_proposal_stayed_and_is_idempotent(
    year_of_ratings, django_capture_on_commit_callbacks
):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)
    d = run.proposals.get(instructor=people.d)
    services.proposal_decide(proposal=d, actor=people.admin, decision=Outcome.WARN, reason="授课准备不足")
    before = sorted(run.proposals.values_list("instructor_id", "proposed", "shrunk_score", "rank"))

    run = start(people, django_capture_on_commit_callbacks)
    assert services.run_compute(run_id=run.pk).status == "proposed"  # a second delivery of the task: no change

    assert sorted(run.proposals.values_list("instructor_id", "proposed", "shrunk_score", "rank")) == before
    kept = run.proposals.get(instructor=people.d)
    assert (kept.decision, kept.decision_reason, kept.decided_by) == (Outcome.WARN, "授课准备不足", people.admin)
    assert list(run.status_changes.values_list("to_status", flat=True)) == [
        "queued",
        "computing",
        "proposed",
        "queued",
        "computing",
        "proposed",
    ]


def test_a_confirmed_run_cannot_be_recomputed(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    run = start(people, django_capture_on_commit_callbacks)
    services.proposals_accept_all(run=run, actor=people.admin)
    services.run_confirm(run=run, actor=people.admin)

    with pytest.raises(ConflictError) as refused:
        services.run_start(pool=people.pool, year=people.year, actor=people.admin)

    assert refused.value.code == "run_confirmed"


def test_a_failed_computation_is_marked_and_can_be_recomputed(
    year_of_ratings, django_capture_on_commit_callbacks, monkeypatch
):
    people = year_of_ratings

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(rules, "classify", broken)
    run = start(people, django_capture_on_commit_callbacks)
    assert (run.status, run.error) == ("failed", "ValueError: boom")
    assert run.proposals.count() == 0

    monkeypatch.undo()
    run = start(people, django_capture_on_commit_callbacks)
    assert (run.status, run.error, run.proposals.count()) == ("proposed", "", 5)


def test_a_discipline_incident_is_shown_and_bars_the_reward(year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    incident = services.incident_record(
        instructor=people.a,
        actor=people.admin,
        occurred_on=timezone.localdate() - timedelta(days=1),
        description="授课中发表不当言论",
        handling=DisciplineIncident.Handling.ORGANIZATIONAL,
    )

    run = start(people, django_capture_on_commit_callbacks)

    a = run.proposals.get(instructor=people.a)
    assert (a.incident_count, a.proposed) == (1, Outcome.KEEP)
    told = Delivery.objects.get(notification__kind="evaluation_incident_recorded", channel="inapp")
    assert (told.recipient, told.notification.payload) == (people.a.user, {"incident_id": incident.pk})


def test_only_the_pools_own_admins_run_and_decide(world, year_of_ratings, django_capture_on_commit_callbacks):
    people = year_of_ratings
    city_admin = world.admin(world.city)

    with pytest.raises(PermissionDenied):
        services.run_start(pool=people.pool, year=people.year, actor=city_admin)
    run = start(people, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.proposals_accept_all(run=run, actor=city_admin)
    with pytest.raises(PermissionDenied):
        services.incident_record(
            instructor=people.a,
            actor=city_admin,
            occurred_on=timezone.localdate(),
            description="x",
            handling=DisciplineIncident.Handling.CRITICISM,
        )


@pytest.mark.parametrize("year", ["abc", 1999, 3000])
def test_an_odd_year_is_refused(year_of_ratings, year):
    with pytest.raises(DomainError) as refused:
        services.run_start(pool=year_of_ratings.pool, year=year, actor=year_of_ratings.admin)

    assert refused.value.field == "year"


def test_a_run_in_progress_refuses_another_start(year_of_ratings):
    people = year_of_ratings
    services.run_start(pool=people.pool, year=people.year, actor=people.admin)  # queued: no commit, no task

    with pytest.raises(ConflictError) as refused:
        services.run_start(pool=people.pool, year=people.year, actor=people.admin)

    assert refused.value.code == "run_busy"


def test_stalled_runs_are_resumed(year_of_ratings):
    people = year_of_ratings
    run = services.run_start(pool=people.pool, year=people.year, actor=people.admin)
    EvaluationRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - timedelta(minutes=3))

    assert services.runs_resume() == 1
    assert EvaluationRun.objects.get(pk=run.pk).status == "proposed"
    assert services.runs_resume() == 0
