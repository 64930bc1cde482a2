"""Every write of the evaluation: rating windows, ratings, one-time links, summaries, discipline
incidents and the yearly evaluation (computation, decisions, confirmation).

Services take keyword arguments, run in one transaction (the yearly computation excepted: it writes
its progress as it goes, and its result in one transaction), check permission (``actor=None`` is the
system: tasks, the seed), and queue notifications through the outbox. The pool changes only through
``pool.services`` (its state machine, its rosters, its rating summaries) and lectures are cancelled
only through ``booking.services``.
"""

import logging
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Booking
from booking.selectors import format_day
from booking.services import bookings_cancel_for_instructor
from notifications.services import notification_queue
from orgs.errors import ConflictError, DomainError
from orgs.models import Role, User
from orgs.selectors import users_with_role
from pool.models import Instructor, InstructorStatusChange, Pool, Recommendation
from pool.services import instructor_rating_summary_set, instructor_transition, roster_publish

from . import conf, rules
from .models import (
    DisciplineIncident,
    EvaluationRun,
    EvaluationRunStatusChange,
    Outcome,
    Proposal,
    Rating,
    RatingLink,
    RatingWindow,
)
from .permissions import can_manage_links, can_record_incident, can_run_evaluation, check_rater
from .selectors import eligible_raters, lecture_date, pool_totals, year_range

logger = logging.getLogger(__name__)

MAX_COMMENT = 1000


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this here."))


def _is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


# --- rating windows --------------------------------------------------------------------------------


@transaction.atomic
def rating_window_open(*, booking_id: int) -> RatingWindow | None:
    """Open the rating of a delivered lecture for ``EVALUATION["WINDOW_DAYS"]`` days from its delivery.

    Idempotent: a lecture has one window; a second call returns it and tells nobody. Side effects of the
    first call: the window; a notification (``evaluation_rating_open``) to the members with an account who
    may rate it (``selectors.eligible_raters``), the instructor excluded. Returns None for a lecture that
    is not delivered.
    """
    booking = (
        Booking.objects.select_related("branch", "instructor", "instructor__user")
        .filter(pk=booking_id, status=Booking.Status.DELIVERED, instructor__isnull=False)
        .first()
    )
    if booking is None:
        return None
    opens_at = booking.delivered_at or timezone.now()
    day = lecture_date(booking)
    window, created = RatingWindow.objects.get_or_create(
        booking=booking,
        defaults={
            "instructor": booking.instructor,
            "branch": booking.branch,
            "lecture_date": day,
            "year": day.year,
            "opens_at": opens_at,
            "closes_at": opens_at + timedelta(days=conf.window_days()),
        },
    )
    if created:
        eligible = eligible_raters(booking)
        users = [
            m.user
            for m in eligible.members.filter(user__isnull=False, user__is_active=True)
            if m.user_id != booking.instructor.user_id
        ]
        notification_queue(
            recipients=users,
            kind="evaluation_rating_open",
            title=_("Rate the lecture “%(topic)s” by %(name)s")
            % {"topic": booking.topic, "name": booking.instructor.name},
            body=_("You may rate the lecture of %(day)s until %(until)s: content, delivery and practical value.")
            % {"day": format_day(day), "until": format_day(window.closes_at)},
            url=reverse("evaluation:rate", args=[booking.pk]),
            payload={"booking_id": booking.pk},
        )
    return window


def rating_windows_catch_up(*, now: datetime | None = None) -> int:
    """Open the windows of lectures delivered within the window's days that have none (periodic task).

    ``lecture_delivered`` opens them as lectures are delivered; this catches the ones whose signal was
    lost (a crash between the delivery's commit and the receiver). Returns how many were opened.
    """
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.DELIVERED,
        delivered_at__gte=now - timedelta(days=conf.window_days()),
        rating_window__isnull=True,
        instructor__isnull=False,
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if rating_window_open(booking_id=pk) is not None)


def _window_locked(booking: Booking) -> RatingWindow:
    """The lecture's window, locked: every rating of one lecture is written one after the other.

    A delivered lecture whose window was never opened (a lost signal) gets it now."""

    def locked():
        return (
            RatingWindow.objects.select_for_update(of=("self",))
            .select_related("booking", "booking__branch", "instructor", "instructor__user", "branch")
            .filter(booking_id=booking.pk)
            .first()
        )

    window = locked()
    if window is None and rating_window_open(booking_id=booking.pk) is not None:
        window = locked()
    if window is None:
        raise ConflictError(_("A lecture can be rated once it has been confirmed as delivered."), code="not_delivered")
    return window


def _ensure_open(window: RatingWindow, now: datetime) -> None:
    if now >= window.closes_at:
        raise ConflictError(
            _("Rating of this lecture closed on %(day)s.") % {"day": format_day(window.closes_at)},
            code="rating_closed",
        )
    if now < window.opens_at:
        raise ConflictError(_("Rating of this lecture has not opened yet."), code="rating_not_open")


# --- ratings ---------------------------------------------------------------------------------------


def _score(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or str(value).strip() not in {str(number), f"{number}.0"} or not 1 <= number <= 5:
        raise DomainError(_("Give a score from 1 to 5."), field=field)
    return number


@transaction.atomic
def rating_submit(
    *,
    booking: Booking,
    actor: User | None,
    content,
    delivery,
    practical,
    comment: str = "",
    as_branch: bool = False,
    token: str = "",
) -> Rating:
    """Rate a delivered lecture once: as a member who attended, as the branch, or with a one-time link.

    - With ``token`` (a one-time link): anyone holding it, once; a logged-in member using a link rates as
      that member (so the link cannot be a second rating of the same person).
    - With ``as_branch``: the branch side of the booking (its secretary), once per lecture.
    - Otherwise: a member with an account among ``selectors.eligible_raters`` (PermissionDenied else).

    Refused: the instructor themself (PermissionDenied), outside the window or before delivery
    (ConflictError), a second rating of the same member, branch or link (ConflictError — the database's
    unique constraints hold under concurrent submissions as well).

    Side effects, in order: the rating; the link marked used; the instructor's summary of the year
    (``pool.services.instructor_rating_summary_set``).
    """
    scores = {
        "content": _score(content, "content"),
        "delivery": _score(delivery, "delivery"),
        "practical": _score(practical, "practical"),
    }
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(_("Keep the comment within %(n)s characters.") % {"n": MAX_COMMENT}, field="comment")
    now = timezone.now()
    window = _window_locked(booking)
    link = None
    if token:
        link = RatingLink.objects.select_for_update().filter(token=token, window=window).first()
        if link is None:
            raise DomainError(_("This rating link is not valid for this lecture."), field="token")
    check = check_rater(window, actor, as_branch=as_branch and link is None, link=link, now=now)
    if check.refusal is not None:
        raise check.refusal.exception()
    rating = Rating(
        window=window,
        instructor=window.instructor,
        year=window.year,
        source=check.source,
        member=check.member,
        link=link,
        submitted_by=actor if _is_person(actor) else None,
        comment=comment,
        total=sum(scores.values()),
        created_at=now,
        **scores,
    )
    if link is not None:
        link.used_at = now
        link.save(update_fields=["used_at"])
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise ConflictError(_("You have already rated this lecture."), code="already_rated") from exc
    rating_summary_refresh(instructor=window.instructor, year=window.year)
    return rating


@transaction.atomic
def rating_links_create(*, booking: Booking, actor: User | None, count: int) -> list[RatingLink]:
    """Generate ``count`` one-time links for attendees without an account (printed as QR codes).

    The branch side decides how many to print; a lecture has at most ``EVALUATION["MAX_LINKS"]``. Links
    work while the window is open. Side effect: the link rows, numbered on from the last card.
    """
    window = _window_locked(booking)
    if actor is not None:
        _require(can_manage_links(actor, window.booking))
    _ensure_open(window, timezone.now())
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise DomainError(_("Give the number of links to print."), field="count") from None
    existing = window.links.aggregate(n=Count("pk"), last=Max("serial"))
    room = conf.max_links() - existing["n"]
    if count < 1 or count > room:
        raise DomainError(
            _("Give a number from 1 to %(n)s (a lecture has at most %(max)s links).")
            % {"n": max(room, 0), "max": conf.max_links()},
            field="count",
        )
    start = (existing["last"] or 0) + 1
    links = [
        RatingLink(
            window=window,
            serial=start + i,
            token=secrets.token_urlsafe(18),
            created_by=actor if _is_person(actor) else None,
        )
        for i in range(count)
    ]
    return RatingLink.objects.bulk_create(links)


# --- summaries -------------------------------------------------------------------------------------


def rating_summary_refresh(*, instructor: Instructor, year: int) -> None:
    """Write an instructor's summary of a year into the pool (count, mean, shrunk score)."""
    row = Rating.objects.filter(instructor=instructor, year=year).aggregate(n=Count("pk"), s=Sum("total"))
    n, s = row["n"] or 0, row["s"] or 0
    if not n:
        return
    pool_count, pool_total = pool_totals(instructor.pool_id, year)
    pool_mean = rules.pool_mean_of(pool_total, pool_count)
    instructor_rating_summary_set(
        instructor=instructor,
        year=year,
        count=n,
        mean=rules.mean_of(s, n),
        shrunk_score=rules.shrink(total=s, count=n, pool_mean=pool_mean, prior_weight=conf.prior_weight()),
    )


def _pool_rows(pool_id: int, year: int) -> list[dict]:
    return list(
        Rating.objects.filter(year=year, instructor__pool_id=pool_id)
        .values("instructor")
        .annotate(n=Count("pk"), s=Sum("total"))
        .order_by()
    )


def _summaries_write(pool_id: int, year: int, rows: list[dict], *, progress=None) -> None:
    """Every rated instructor's summary of one pool and year, against the pool's mean of that year."""
    n_all = sum(r["n"] for r in rows)
    s_all = sum(r["s"] for r in rows)
    pool_mean = rules.pool_mean_of(s_all, n_all)
    k = conf.prior_weight()
    instructors = Instructor.objects.only("pk", "pool_id").in_bulk([r["instructor"] for r in rows])
    for i, r in enumerate(rows, start=1):
        instructor_rating_summary_set(
            instructor=instructors[r["instructor"]],
            year=year,
            count=r["n"],
            mean=rules.mean_of(r["s"], r["n"]),
            shrunk_score=rules.shrink(total=r["s"], count=r["n"], pool_mean=pool_mean, prior_weight=k),
        )
        if progress is not None and i % 200 == 0:
            progress(i, len(rows))


def rating_summaries_refresh(*, year: int | None = None) -> int:
    """Refresh every summary of a year (periodic task): each rating moves its pool's mean, and with it
    the shrunk scores of the pool's other instructors. One transaction per pool. Returns the pools."""
    year = year or timezone.localdate().year
    pools = list(Rating.objects.filter(year=year).values_list("instructor__pool_id", flat=True).distinct().order_by())
    for pool_id in pools:
        with transaction.atomic():
            _summaries_write(pool_id, year, _pool_rows(pool_id, year))
    return len(pools)


# --- discipline incidents --------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    instructor: Instructor,
    actor: User,
    occurred_on: date,
    description: str,
    handling: str,
    booking: Booking | None = None,
) -> DisciplineIncident:
    """严重违反教学纪律: record an incident (the pool's admin), shown in the yearly evaluation of its year.

    Side effects: the incident row; a notification to the instructor's account.
    """
    _require(can_record_incident(actor, instructor))
    if occurred_on is None or occurred_on > timezone.localdate():
        raise DomainError(_("Give the day it happened (not in the future)."), field="occurred_on")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe what happened."), field="description")
    if handling not in DisciplineIncident.Handling.values:
        raise DomainError(_("Choose how it is handled."), field="handling")
    if booking is not None and booking.instructor_id != instructor.pk:
        raise DomainError(_("That lecture was not given by this instructor."), field="booking")
    incident = DisciplineIncident.objects.create(
        instructor=instructor,
        occurred_on=occurred_on,
        booking=booking,
        description=description,
        handling=handling,
        recorded_by=actor,
    )
    if instructor.user_id:
        notification_queue(
            recipients=[instructor.user],
            kind="evaluation_incident_recorded",
            title=_("A teaching discipline incident has been recorded (%(handling)s)")
            % {"handling": incident.get_handling_display()},
            body=description,
            url=reverse("evaluation:me"),
            payload={"incident_id": incident.pk},
        )
    return incident


# --- the yearly evaluation -------------------------------------------------------------------------


def _dispatch(run_id: int) -> None:
    """Queue the computation; a broker that is down is logged (the periodic resume computes it later)."""
    from .tasks import compute_evaluation_run

    try:
        compute_evaluation_run.delay(run_id)
    except Exception as exc:  # kombu raises OperationalError and friends when the broker is away
        logger.warning("broker unavailable, yearly evaluation %s left for the periodic resume: %s", run_id, exc)


def _lock_run(run: EvaluationRun) -> EvaluationRun:
    return (
        EvaluationRun.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__organization")
        .get(pk=run.pk)
    )


@transaction.atomic
def run_start(*, pool: Pool, year: int, actor: User | None) -> EvaluationRun:
    """Start (or re-compute, until it is confirmed) the yearly evaluation of ``pool`` for ``year``.

    Side effects, in order: the run (queued) and its history row; after commit the computation task
    (``compute_evaluation_run``: progress in the run, proposals at the end). Refused while the run is
    being computed and once it is confirmed (409).
    """
    if actor is not None:
        _require(can_run_evaluation(actor, pool))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("Give the year to evaluate."), field="year") from None
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise DomainError(_("Give a year from 2000 to %(y)s.") % {"y": this_year}, field="year")
    person = actor if _is_person(actor) else None
    run = EvaluationRun.objects.select_for_update().filter(pool=pool, year=year).first()
    now = timezone.now()
    if run is None:
        try:
            with transaction.atomic():
                run = EvaluationRun.objects.create(
                    pool=pool, year=year, started_by=person, created_at=now, updated_at=now
                )
        except IntegrityError as exc:
            raise ConflictError(_("This yearly evaluation has just been started."), code="run_busy") from exc
        EvaluationRunStatusChange.objects.create(
            run=run, to_status=run.status, actor=person, reason=_("Started"), created_at=now
        )
    elif run.status == EvaluationRun.Status.CONFIRMED:
        raise ConflictError(
            _("The yearly evaluation of %(year)s has been confirmed; it can no longer be re-computed.")
            % {"year": year},
            code="run_confirmed",
        )
    elif run.is_busy:
        raise ConflictError(_("The yearly evaluation is being computed; wait until it is done."), code="run_busy")
    else:
        run.started_by, run.progress, run.progress_note, run.error, run.updated_at = person, 0, "", "", now
        run.transition_to(
            EvaluationRun.Status.QUEUED,
            actor=person,
            reason=_("Re-computed"),
            save_fields=["started_by", "progress", "progress_note", "error", "updated_at"],
        )
    run_id = run.pk
    transaction.on_commit(lambda: _dispatch(run_id))
    return run


def _progress(run_id: int, percent: int, note: str) -> None:
    EvaluationRun.objects.filter(pk=run_id).update(progress=percent, progress_note=note, updated_at=timezone.now())


def _candidates(pool: Pool, year: int, rating_rows: list[dict]) -> list[rules.Candidate]:
    """What the run knows of each instructor of the pool: four grouped queries, whatever the size."""
    people = list(
        Instructor.objects.filter(
            pool=pool,
            status__in=[Instructor.Status.APPOINTED, Instructor.Status.SUSPENDED, Instructor.Status.RESERVE],
        ).values_list("pk", "code", "status")
    )
    ratings = {r["instructor"]: (r["n"], r["s"]) for r in rating_rows}
    start, end = year_range(year)
    lectures = dict(
        Booking.objects.filter(
            instructor__pool=pool, status=Booking.Status.DELIVERED, starts_at__gte=start, starts_at__lt=end
        )
        .values("instructor")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("instructor", "n")
    )
    incidents = dict(
        DisciplineIncident.objects.filter(instructor__pool=pool, occurred_on__year=year)
        .values("instructor")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("instructor", "n")
    )
    reserve_ids = [pk for pk, _code, status in people if status == Instructor.Status.RESERVE]
    intake = dict(
        Recommendation.objects.filter(instructor_id__in=reserve_ids).values_list("instructor_id", "decision_score")
    )
    since = dict(
        InstructorStatusChange.objects.filter(instructor_id__in=reserve_ids, to_status=Instructor.Status.RESERVE)
        .values("instructor")
        .annotate(at=Max("created_at"))
        .order_by()
        .values_list("instructor", "at")
    )
    return [
        rules.Candidate(
            instructor_id=pk,
            code=code,
            status="reserve" if status == Instructor.Status.RESERVE else status,
            rating_count=ratings.get(pk, (0, 0))[0],
            rating_total=ratings.get(pk, (0, 0))[1],
            lecture_count=lectures.get(pk, 0),
            incident_count=incidents.get(pk, 0),
            reserve_score=intake.get(pk),
            reserve_since=since.get(pk),
        )
        for pk, code, status in people
    ]


def run_compute(*, run_id: int) -> EvaluationRun | None:
    """Compute a queued run's proposals (the Celery task's body).

    Idempotent: a run that is not queued or computing is left alone; computing it again writes the same
    proposals. The admin's decisions survive a re-computation where the proposal stays the same.
    Progress is written as it goes (the run page polls it); the proposals and the run's figures are
    written in one transaction at the end. Side effects, in order: status computing (history row);
    progress; every rated instructor's summary of the year in the pool; proposals; status proposed
    (history row). A failure marks the run failed with the error, and is logged.
    """
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().select_related("pool").filter(pk=run_id).first()
        if run is None or run.status not in (EvaluationRun.Status.QUEUED, EvaluationRun.Status.COMPUTING):
            return run
        if run.status == EvaluationRun.Status.QUEUED:
            run.updated_at = timezone.now()  # the resume leaves a run alone while it moves
            run.transition_to(EvaluationRun.Status.COMPUTING, actor=None, save_fields=["updated_at"])
    try:
        return _compute(run)
    except Exception as exc:
        logger.exception("yearly evaluation %s failed", run_id)
        with transaction.atomic():
            run = EvaluationRun.objects.select_for_update().get(pk=run_id)
            if run.status == EvaluationRun.Status.COMPUTING:
                run.error = f"{exc.__class__.__name__}: {exc}"[:2000]
                run.updated_at = timezone.now()
                run.transition_to(
                    EvaluationRun.Status.FAILED, actor=None, reason=run.error, save_fields=["error", "updated_at"]
                )
        return run


def _compute(run: EvaluationRun) -> EvaluationRun:
    t = conf.thresholds()
    _progress(run.pk, 5, _("Reading the ratings of %(year)s") % {"year": run.year})
    rating_rows = _pool_rows(run.pool_id, run.year)
    candidates = _candidates(run.pool, run.year, rating_rows)
    n_all = sum(r["n"] for r in rating_rows)
    pool_mean = rules.pool_mean_of(sum(r["s"] for r in rating_rows), n_all)
    _progress(run.pk, 20, _("Computing the proposals"))
    computed = rules.classify(candidates, pool_mean=pool_mean, t=t)

    def summaries(done: int, total: int) -> None:
        _progress(
            run.pk,
            25 + int(65 * done / max(total, 1)),
            _("Updating the rating summaries (%(done)s of %(total)s)") % {"done": done, "total": total},
        )

    _progress(run.pk, 25, _("Updating the rating summaries"))
    with transaction.atomic():
        _summaries_write(run.pool_id, run.year, rating_rows, progress=summaries)
    _progress(run.pk, 92, _("Writing the proposals"))
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().select_related("pool").get(pk=run.pk)
        if run.status != EvaluationRun.Status.COMPUTING:  # another worker finished it meanwhile
            return run
        previous = {p.instructor_id: p for p in run.proposals.exclude(decision="")}
        rows = []
        for c in computed:
            old = previous.get(c.instructor_id)
            same = old is not None and old.proposed == c.proposed
            rows.append(
                Proposal(
                    run=run,
                    instructor_id=c.instructor_id,
                    status_at_run=Instructor.Status.RESERVE if c.status == "reserve" else c.status,
                    rating_count=c.rating_count,
                    mean=c.mean,
                    shrunk_score=c.shrunk_score,
                    lecture_count=c.lecture_count,
                    incident_count=c.incident_count,
                    rank=c.rank,
                    proposed=c.proposed,
                    basis=c.basis,
                    decision=old.decision if same else "",
                    decision_reason=old.decision_reason if same else "",
                    decided_by_id=old.decided_by_id if same else None,
                    decided_at=old.decided_at if same else None,
                )
            )
        run.proposals.all().delete()
        Proposal.objects.bulk_create(rows, batch_size=1000)
        now = timezone.now()
        run.thresholds = t.as_json()
        run.pool_mean = rules.cents(pool_mean)
        run.rated_count = sum(1 for c in computed if c.rating_count)
        run.rating_count = n_all
        run.computed_at = now
        run.progress, run.progress_note, run.error, run.updated_at = 100, "", "", now
        run.transition_to(
            EvaluationRun.Status.PROPOSED,
            actor=None,
            save_fields=[
                "thresholds",
                "pool_mean",
                "rated_count",
                "rating_count",
                "computed_at",
                "progress",
                "progress_note",
                "error",
                "updated_at",
            ],
        )
    return run


def runs_resume(*, now: datetime | None = None) -> int:
    """Compute runs left queued (the broker was down when they started) or computing with no progress
    for a long time (the worker died); periodic task. Returns how many were computed."""
    now = now or timezone.now()
    stalled = (
        EvaluationRun.objects.filter(status=EvaluationRun.Status.QUEUED, updated_at__lt=now - timedelta(minutes=2))
        | EvaluationRun.objects.filter(
            status=EvaluationRun.Status.COMPUTING, updated_at__lt=now - timedelta(minutes=15)
        )
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(stalled):
        run_compute(run_id=pk)
        done += 1
    return done


def _ensure_proposed(run: EvaluationRun) -> None:
    if run.status != EvaluationRun.Status.PROPOSED:
        raise ConflictError(
            _("The yearly evaluation is “%(status)s”: only computed proposals awaiting confirmation can be decided.")
            % {"status": run.get_status_display()},
            code="invalid_state",
        )


@transaction.atomic
def proposal_decide(*, proposal: Proposal, actor: User | None, decision: str, reason: str = "") -> Proposal:
    """Confirm a proposal as proposed, or override it with another outcome and a reason (nothing changes
    in the pool until the run is confirmed). Side effect: the decision with who, when and why."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("run", "run__pool").get(pk=proposal.pk)
    if actor is not None:
        _require(can_run_evaluation(actor, proposal.run.pool))
    _ensure_proposed(proposal.run)
    if decision not in proposal.allowed_outcomes():
        raise DomainError(
            _("Choose one of: %(choices)s.")
            % {"choices": "、".join(str(Outcome(o).label) for o in proposal.allowed_outcomes())},
            field="decision",
        )
    reason = (reason or "").strip()
    if decision != proposal.proposed and not reason:
        raise DomainError(_("Give the reason for deciding otherwise than proposed."), field="reason")
    proposal.decision = decision
    proposal.decision_reason = reason
    proposal.decided_by = actor if _is_person(actor) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def proposals_accept_all(*, run: EvaluationRun, actor: User | None) -> int:
    """Confirm every undecided proposal of the run as proposed. Returns how many."""
    run = _lock_run(run)
    if actor is not None:
        _require(can_run_evaluation(actor, run.pool))
    _ensure_proposed(run)
    return run.proposals.filter(decision="").update(
        decision=F("proposed"), decided_by=actor if _is_person(actor) else None, decided_at=timezone.now()
    )


def _outcome_reason(run: EvaluationRun, proposal: Proposal) -> str:
    why = proposal.decision_reason or proposal.basis
    return _("Yearly evaluation %(year)s: %(why)s") % {"year": run.year, "why": why}


@transaction.atomic
def run_confirm(*, run: EvaluationRun, actor: User | None) -> EvaluationRun:
    """Apply every decision of a computed run, in one transaction (all or nothing).

    Refused (409) while proposals are undecided, and when an instructor's status changed since the
    computation (re-compute first). Side effects, in order: each removal through the pool's state
    machine (history row, notice to the instructor) and the cancellation of the removed instructor's
    future lectures with notices to both sides (``booking.services.bookings_cancel_for_instructor``);
    each promotion of a reserve into a freed seat (an appointment with a numbered letter); notices of
    rewards and warnings to the instructors; a new roster version when anyone left or joined
    (``pool.services.roster_publish``); the run confirmed (history row).
    """
    run = _lock_run(run)
    if actor is not None:
        _require(can_run_evaluation(actor, run.pool))
    _ensure_proposed(run)
    proposals = list(run.proposals.select_related("instructor", "instructor__user").order_by("rank", "pk"))
    undecided = sum(1 for p in proposals if not p.decision)
    if undecided:
        raise ConflictError(_("%(n)s proposals still await your decision.") % {"n": undecided}, code="undecided")
    now_status = dict(
        Instructor.objects.filter(pk__in=[p.instructor_id for p in proposals]).values_list("pk", "status")
    )
    changed = [p.instructor for p in proposals if now_status.get(p.instructor_id) != p.status_at_run]
    if changed:
        raise ConflictError(
            _("The pool has changed since this evaluation was computed (%(names)s): re-compute it first.")
            % {"names": "、".join(i.name for i in changed[:5]) + ("…" if len(changed) > 5 else "")},
            code="stale",
        )
    removed = [p for p in proposals if p.decision == Outcome.REMOVE]
    promoted = [p for p in proposals if p.decision == Outcome.PROMOTE]
    cancelled = 0
    for p in removed:
        reason = _outcome_reason(run, p)
        instructor_transition(instructor=p.instructor, actor=actor, to_status=Instructor.Status.REMOVED, reason=reason)
        cancelled += bookings_cancel_for_instructor(instructor=p.instructor, reason=reason, actor=None)
    for p in promoted:
        instructor_transition(
            instructor=p.instructor, actor=actor, to_status=Instructor.Status.APPOINTED, reason=_outcome_reason(run, p)
        )
    notices = {
        Outcome.REWARD: ("evaluation_reward", _("Yearly evaluation %(year)s: your contribution is commended")),
        Outcome.WARN: ("evaluation_warning", _("Yearly evaluation %(year)s: a warning about your teaching")),
    }
    for p in proposals:
        if p.decision in notices and p.instructor.user_id:
            kind, title = notices[p.decision]
            notification_queue(
                recipients=[p.instructor.user],
                kind=kind,
                title=title % {"year": run.year},
                body=p.decision_reason or p.basis,
                url=reverse("evaluation:me"),
                payload={"run_id": run.pk, "proposal_id": p.pk},
            )
    now = timezone.now()
    run.proposals.update(applied_at=now)
    if removed or promoted:
        run.roster = roster_publish(
            pool=run.pool,
            actor=actor,
            title=_("%(pool)s: roster after the yearly evaluation of %(year)s")
            % {"pool": run.pool.name, "year": run.year},
            note=_("Removed: %(removed)s; promoted from the reserve: %(promoted)s.")
            % {
                "removed": "、".join(p.instructor.name for p in removed) or "—",
                "promoted": "、".join(p.instructor.name for p in promoted) or "—",
            },
        )
    run.confirmed_by = actor if _is_person(actor) else None
    run.confirmed_at = now
    run.updated_at = now
    summary = _("Removed %(r)s, promoted %(p)s, lectures cancelled %(c)s.") % {
        "r": len(removed),
        "p": len(promoted),
        "c": cancelled,
    }
    run.transition_to(
        EvaluationRun.Status.CONFIRMED,
        actor=actor,
        reason=summary,
        save_fields=["roster", "confirmed_by", "confirmed_at", "updated_at"],
    )
    admins = [u for u in users_with_role(role=Role.ORG_ADMIN, organization=run.pool.organization) if u != actor]
    notification_queue(
        recipients=admins,
        kind="evaluation_confirmed",
        title=_("Yearly evaluation %(year)s of %(pool)s confirmed") % {"year": run.year, "pool": run.pool.name},
        body=summary,
        url=reverse("evaluation:run", args=[run.pk]),
        payload={"run_id": run.pk},
    )
    return run
