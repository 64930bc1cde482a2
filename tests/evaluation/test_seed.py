"""The demo year of ``seed_demo``: the run proposes removal only where enough ratings are low; confirming
it removes them, cancels their lectures with notices, publishes a roster without them and promotes a
reserve. ``scale`` adds rated lectures in bulk."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client

from booking.models import Booking
from evaluation import services
from evaluation.conf import thresholds
from evaluation.models import EvaluationRun, Outcome, Rating, RatingWindow
from evaluation.selectors import member_for_user, open_windows_for_member
from notifications.models import Delivery
from orgs.models import User
from pool.models import Instructor, RosterEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_the_demo_run_proposes_removal_only_with_enough_low_ratings(seeded):
    run = EvaluationRun.objects.get()
    t = thresholds()
    evaluated = run.proposals.exclude(status_at_run=Instructor.Status.RESERVE).exclude(shrunk_score=None)

    removal = {p.instructor_id for p in run.proposals.filter(proposed=Outcome.REMOVE)}
    low_enough = {
        p.instructor_id
        for p in evaluated
        if p.shrunk_score < t.remove_below and p.rating_count >= t.min_ratings_to_remove
    }
    low_too_few = [p for p in evaluated if p.shrunk_score < t.remove_below and p.rating_count < t.min_ratings_to_remove]

    assert run.status == "proposed"
    assert len(removal) == 2
    assert removal == low_enough
    assert [p.proposed for p in low_too_few] == [Outcome.WARN]
    assert run.proposals.filter(proposed=Outcome.PROMOTE).count() == 2
    assert run.proposals.filter(proposed=Outcome.REWARD).count() >= 1
    assert run.proposals.filter(incident_count__gt=0).count() == 1


def test_confirming_the_demo_run_applies_it(seeded):
    admin = User.objects.get(username="province_admin")
    run = EvaluationRun.objects.get()
    removed = [p.instructor for p in run.proposals.filter(proposed=Outcome.REMOVE).select_related("instructor")]
    reserves = [p.instructor for p in run.proposals.filter(proposed=Outcome.PROMOTE).select_related("instructor")]
    upcoming = list(Booking.objects.filter(instructor__in=removed, status=Booking.Status.ACCEPTED))
    last = run.pool.roster_versions.order_by("-version").first()

    services.proposals_accept_all(run=run, actor=admin)
    run = services.run_confirm(run=run, actor=admin)

    assert len(upcoming) == 2
    assert {i.status for i in Instructor.objects.filter(pk__in=[i.pk for i in removed])} == {"removed"}
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in upcoming])} == {"cancelled"}
    told = {
        booking.branch.name: {
            d.recipient.username
            for d in Delivery.objects.filter(
                notification__kind="booking_cancelled", notification__payload__booking_id=booking.pk, channel="inapp"
            )
        }
        for booking in upcoming
    }
    # the branch's secretary, and the instructor's side: the pool's admin answers for an instructor without a log-in
    assert told == {
        "东山街道上坊村党支部": {"secretary2", "province_admin"},
        "沛城街道汉兴社区党支部": {"xuzhou_secretary", "province_admin"},
    }
    assert run.roster.version == last.version + 1
    listed = set(run.roster.entries.exclude(change=RosterEntry.Change.REMOVED).values_list("instructor", flat=True))
    assert not listed & {i.pk for i in removed}
    assert {i.pk for i in reserves} <= listed
    assert {i.status for i in Instructor.objects.filter(pk__in=[i.pk for i in reserves])} == {"appointed"}


def test_the_demo_member_has_a_lecture_open_to_rate(seeded):
    user = User.objects.get(username="member")
    windows = open_windows_for_member(member_for_user(user))
    client = Client()
    client.login(username="member", password="demo12345")

    assert len(windows) == 1
    response = client.post(
        f"/evaluation/rate/{windows[0].booking_id}/", {"content": "5", "delivery": "5", "practical": "4"}
    )
    assert response.status_code == 302
    assert Rating.objects.filter(member__user=user).count() == 1


def test_scale_adds_a_year_of_rated_lectures(seeded):
    from evaluation import seed as evaluation_seed
    from members import seed as members_seed
    from orgs import seed as orgs_seed

    ctx = SimpleNamespace(scale_branch_ids=[], log=lambda message: None)
    orgs_seed.scale(ctx, 3)
    members_seed.scale(ctx, 3)
    before = Rating.objects.count()

    evaluation_seed.scale(ctx, 3)

    windows = RatingWindow.objects.filter(branch_id__in=ctx.scale_branch_ids)
    assert windows.count() == 3 * evaluation_seed.LECTURES_PER_BRANCH
    assert Rating.objects.count() - before == windows.count() * (evaluation_seed.RATERS_PER_LECTURE + 1)
    confirmed = list(
        Booking.objects.filter(status__in=["accepted", "delivered"]).values_list("instructor", "starts_at")
    )
    assert len(confirmed) == len(set(confirmed))
