"""Every write to pools, instructors, intake, rosters and suggestions.

Services take keyword arguments, run in one transaction, check permission (``actor=None`` means the
system itself: seeding, management commands, other apps' services), change statuses only through the
state machine, and queue notifications through the outbox and ``instructor_changed`` after commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_queue
from orgs.crypto import keyed_hash
from orgs.errors import ConflictError, DomainError
from orgs.models import Organization, Role, User
from orgs.selectors import jurisdiction_of, users_with_role
from orgs.services import role_grant

from . import roster_cache
from .categories import fee_grade_for_title
from .models import (
    DEFAULT_QUOTA,
    LEVEL_OF_KIND,
    Call,
    Category,
    DocumentCounter,
    FeeGrade,
    Gender,
    Instructor,
    InstructorStatusChange,
    Pool,
    RatingSummary,
    Recommendation,
    Review,
    RosterEntry,
    RosterVersion,
    SubArea,
    Suggestion,
    Topic,
)
from .permissions import (
    can_answer_suggestion,
    can_edit_instructor,
    can_manage_pool,
    can_recommend_to_call,
    can_review_recommendation,
)
from .rules import is_valid_phone, normalize_phone
from .selectors import combined_score, seats_in_use, with_scores
from .signals import send_instructor_changed


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this here."))


def _require_manager(actor, pool: Pool) -> None:
    if actor is not None:
        _require(can_manage_pool(actor, pool))


def _pool_admins(pool: Pool):
    return users_with_role(role=Role.ORG_ADMIN, organization=pool.organization)


def _next_number(pool: Pool, kind: str, year: int) -> int:
    """The next number of a pool's letters or documents in a year (call with the pool row locked)."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(pool=pool, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _lock_pool(pool: Pool) -> Pool:
    return Pool.objects.select_for_update(of=("self",)).select_related("organization").get(pk=pool.pk)


# --- pools -----------------------------------------------------------------------------------------


def _check_quota(quota_min: int, quota_max: int) -> None:
    if quota_min < 0:
        raise DomainError(_("The target size cannot be negative."), field="quota_min")
    if quota_max < quota_min:
        raise DomainError(_("The maximum cannot be below the target size."), field="quota_max")


@transaction.atomic
def pool_create(
    *,
    organization: Organization,
    actor: User | None,
    name: str = "",
    quota_min: int | None = None,
    quota_max: int | None = None,
    doc_prefix: str = "",
) -> Pool:
    """Open the pool of an organization department (province, city, county, unit or party committee).

    Quotas default to the source's: 100 for the province and each city, 30–50 for a county.
    """
    if actor is not None:
        _require(jurisdiction_of(actor).administers(organization))
    level = LEVEL_OF_KIND.get(organization.kind)
    if level is None:
        raise DomainError(
            _("A %(kind)s cannot run an instructor pool.") % {"kind": organization.get_kind_display()},
            field="organization",
        )
    if Pool.objects.filter(organization=organization).exists():
        raise ConflictError(_("%(org)s already has a pool.") % {"org": organization.full_name})
    default_min, default_max = DEFAULT_QUOTA[level]
    quota_min = default_min if quota_min is None else quota_min
    quota_max = default_max if quota_max is None else quota_max
    _check_quota(quota_min, quota_max)
    return Pool.objects.create(
        organization=organization,
        level=level,
        name=name.strip() or f"{organization.full_name}先锋师资库",
        quota_min=quota_min,
        quota_max=quota_max,
        doc_prefix=doc_prefix.strip() or f"{organization.full_name}先锋师资",
    )


@transaction.atomic
def pool_update(
    *,
    pool: Pool,
    actor: User | None,
    name: str,
    quota_min: int,
    quota_max: int,
    doc_prefix: str,
    is_active: bool = True,
) -> Pool:
    """Change a pool's name, quota or document prefix; the maximum cannot drop below the seats taken."""
    pool = _lock_pool(pool)
    _require_manager(actor, pool)
    _check_quota(quota_min, quota_max)
    seats = seats_in_use(pool)
    if quota_max < seats:
        raise DomainError(
            _("%(n)s instructors already hold seats; the maximum cannot be lower.") % {"n": seats}, field="quota_max"
        )
    if not name.strip():
        raise DomainError(_("The name is required."), field="name")
    if not doc_prefix.strip():
        raise DomainError(_("The document prefix is required."), field="doc_prefix")
    pool.name, pool.doc_prefix = name.strip(), doc_prefix.strip()
    pool.quota_min, pool.quota_max, pool.is_active = quota_min, quota_max, is_active
    pool.save(update_fields=["name", "doc_prefix", "quota_min", "quota_max", "is_active"])
    return pool


def _ensure_seat(pool: Pool, *, override_reason: str, adding: int = 1) -> None:
    """Refuse to fill seats beyond the pool's maximum unless the admin gives a reason (pool locked)."""
    seats = seats_in_use(pool)
    if seats + adding > pool.quota_max and not override_reason.strip():
        raise ConflictError(
            _("%(pool)s holds %(seats)s of at most %(max)s instructors. Give a reason to appoint beyond the maximum.")
            % {"pool": pool.name, "seats": seats, "max": pool.quota_max},
            field="override_reason",
            code="quota_exceeded",
        )


# --- instructors -----------------------------------------------------------------------------------

# Fields an instructor may change on their own profile; the pool's admins may change all of them.
SELF_FIELDS = frozenset({"employer", "title", "bio", "phone", "email", "service_area", "monthly_limit", "sub_areas"})
ADMIN_FIELDS = SELF_FIELDS | {"name", "gender", "fee_grade", "is_party_member", "category", "term_start", "term_end"}


def _clean_fields(fields: dict, *, category: str) -> dict:
    """Validate profile fields; raises DomainError naming the field."""
    out = dict(fields)
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"]:
            raise DomainError(_("The real name is required."), field="name")
    if "gender" in out and out["gender"] not in Gender.values:
        raise DomainError(_("Choose 男 or 女."), field="gender")
    if "category" in out and out["category"] not in Category.values:
        raise DomainError(_("Unknown category."), field="category")
    if "fee_grade" in out and out["fee_grade"] not in FeeGrade.values:
        raise DomainError(_("Unknown fee grade."), field="fee_grade")
    if "phone" in out:
        phone = normalize_phone(out["phone"])
        if phone and not is_valid_phone(phone):
            raise DomainError(_("Enter an 11-digit mobile number, e.g. 13812345678."), field="phone")
        out["phone"] = phone
    if "email" in out:
        out["email"] = str(out["email"] or "").strip()
        if out["email"] and "@" not in out["email"]:
            raise DomainError(_("Enter a valid e-mail address."), field="email")
    if "monthly_limit" in out:
        try:
            limit = int(out["monthly_limit"])
        except (TypeError, ValueError):
            limit = 0
        if not 1 <= limit <= 31:
            raise DomainError(_("Between 1 and 31 lectures a month."), field="monthly_limit")
        out["monthly_limit"] = limit
    for text_field, length in (("employer", 200), ("title", 50), ("service_area", 200)):
        if text_field in out:
            out[text_field] = str(out[text_field] or "").strip()
            if len(out[text_field]) > length:
                raise DomainError(_("At most %(n)s characters.") % {"n": length}, field=text_field)
    if "bio" in out:
        out["bio"] = str(out["bio"] or "").strip()
    if "sub_areas" in out:
        sub_areas = list(out["sub_areas"])
        ids = [s.pk if isinstance(s, SubArea) else int(s) for s in sub_areas]
        found = list(SubArea.objects.filter(pk__in=ids))
        if len(found) != len(set(ids)) or any(s.category != category for s in found):
            raise DomainError(_("Choose sub-areas of the instructor's category."), field="sub_areas")
        out["sub_areas"] = found
    return out


def _apply(instructor: Instructor, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name == "sub_areas":
            continue
        if getattr(instructor, name) != value:
            setattr(instructor, name, value)
            changed.append(name)
    if "phone" in changed:
        instructor.phone_hash = keyed_hash(instructor.phone) if instructor.phone else ""
        changed.append("phone_hash")
    return changed


def _check_term(instructor: Instructor) -> None:
    if instructor.term_start and instructor.term_end and instructor.term_end < instructor.term_start:
        raise DomainError(_("The term cannot end before it starts."), field="term_end")


def _new_code(pool: Pool) -> str:
    year = timezone.localdate().year
    prefix = pool.organization.code or f"P{pool.pk}"
    while True:
        code = f"{prefix}-{year}-{_next_number(pool, 'code', year):04d}"
        if not Instructor.objects.filter(code=code).exists():
            return code


def _topics_clean(topics: Iterable) -> list[tuple[str, str]]:
    out, seen = [], set()
    for item in topics:
        if isinstance(item, str):
            title, abstract = item, ""
        else:
            title, abstract = item.get("title", ""), item.get("abstract", "")
        title, abstract = str(title).strip(), str(abstract or "").strip()
        if not title:
            continue
        if len(title) > 100:
            raise DomainError(_("A topic title has at most 100 characters."), field="topics")
        if title not in seen:
            seen.add(title)
            out.append((title, abstract))
    return out


def _history_created(instructor: Instructor, *, actor, reason: str) -> InstructorStatusChange:
    """The first history row: from nothing to the status the instructor was created in."""
    return InstructorStatusChange.objects.create(
        instructor=instructor,
        from_status="",
        to_status=instructor.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )


@transaction.atomic
def instructor_create(
    *,
    pool: Pool,
    actor: User | None,
    name: str,
    gender: str,
    category: str,
    code: str = "",
    topics: Iterable = (),
    active: bool = False,
    override_reason: str = "",
    reason: str = "",
    **fields,
) -> Instructor:
    """Add an instructor to a pool: a candidate (status recommended) or, with ``active``, appointed.

    The intake normally creates candidates through ``recommendation_create``; ``active=True`` is for
    direct entry by the pool's admin, the seed and other apps' tests. ``fields`` are profile fields
    (``ADMIN_FIELDS``). Side effects: history row; ``instructor_changed`` (created) after commit.
    """
    pool = _lock_pool(pool)
    _require_manager(actor, pool)
    cleaned = _clean_fields({"name": name, "gender": gender, "category": category, **fields}, category=category)
    unknown = set(cleaned) - ADMIN_FIELDS - {"name", "gender", "category"}
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    code = code.strip()
    if code and Instructor.objects.filter(code=code).exists():
        raise ConflictError(_("The code %(code)s is taken.") % {"code": code}, field="code")
    if active:
        _ensure_seat(pool, override_reason=override_reason)
    sub_areas = cleaned.pop("sub_areas", [])
    instructor = Instructor(pool=pool, code=code or _new_code(pool), **cleaned)
    if "fee_grade" not in cleaned:
        instructor.fee_grade = fee_grade_for_title(instructor.title)
    instructor.phone_hash = keyed_hash(instructor.phone) if instructor.phone else ""
    instructor.status = Instructor.Status.APPOINTED if active else Instructor.Status.RECOMMENDED
    _check_term(instructor)
    instructor.save()
    instructor.sub_areas.set(sub_areas)
    Topic.objects.bulk_create(
        Topic(instructor=instructor, title=t, abstract=a, order=i) for i, (t, a) in enumerate(_topics_clean(topics))
    )
    row = _history_created(instructor, actor=actor, reason=reason or (_("Entered directly") if active else ""))
    if override_reason.strip():
        row.override_reason = override_reason.strip()
        row.save(update_fields=["override_reason"])
    send_instructor_changed([instructor.pk], "created")
    return instructor


@transaction.atomic
def instructor_update(*, instructor: Instructor, actor: User | None, **fields) -> Instructor:
    """Change profile fields. The instructor may change ``SELF_FIELDS``; the pool's admins all of them.

    Side effects: ``instructor_changed`` (profile) after commit when anything changed.
    """
    instructor = (
        Instructor.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__organization")
        .get(pk=instructor.pk)
    )
    if actor is not None:
        _require(can_edit_instructor(actor, instructor))
        allowed = ADMIN_FIELDS if can_manage_pool(actor, instructor.pool) else SELF_FIELDS
    else:
        allowed = ADMIN_FIELDS
    refused = set(fields) - allowed
    if refused & ADMIN_FIELDS:
        raise PermissionDenied(_("Only the pool's admins may change %(f)s.") % {"f": ", ".join(sorted(refused))})
    if refused:
        raise DomainError(_("Unknown field %(f)s.") % {"f": ", ".join(sorted(refused))}, field=sorted(refused)[0])
    category = fields.get("category", instructor.category)
    if "category" in fields and fields["category"] != instructor.category and "sub_areas" not in fields:
        fields["sub_areas"] = []  # the old category's sub-areas do not fit the new one
    cleaned = _clean_fields(fields, category=category)
    changed = _apply(instructor, cleaned)
    _check_term(instructor)
    if changed:
        instructor.save(update_fields=[*changed, "updated_at"])
    if "sub_areas" in cleaned:
        before = set(instructor.sub_areas.values_list("pk", flat=True))
        after = {s.pk for s in cleaned["sub_areas"]}
        if before != after:
            instructor.sub_areas.set(cleaned["sub_areas"])
            changed.append("sub_areas")
    if changed:
        send_instructor_changed([instructor.pk], "profile")
    return instructor


def _notify_status(instructor: Instructor, change: InstructorStatusChange) -> None:
    if instructor.user_id is None:
        return
    notification_queue(
        recipients=[instructor.user],
        kind="pool_instructor_status",
        title=_("Your status in %(pool)s is now: %(status)s")
        % {"pool": instructor.pool.name, "status": instructor.get_status_display()},
        body=change.reason,
        url=reverse("pool:me"),
        payload={"instructor_id": instructor.pk, "status_change_id": change.pk},
    )


# Statuses from which a move into ``appointed`` is an appointment (a seat, an agreement, a letter);
# from ``suspended`` it is a restoration of the same appointment.
APPOINTING_FROM = (Instructor.Status.APPROVED, Instructor.Status.RESERVE)
DEFAULT_TERM_YEARS = 3


def _default_term(start: date) -> date:
    try:
        end = start.replace(year=start.year + DEFAULT_TERM_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + DEFAULT_TERM_YEARS, day=28)
    return end - timedelta(days=1)


def _appoint(
    instructor: Instructor,
    *,
    actor: User | None,
    agreement_date: date,
    term_start: date,
    term_end: date,
    override_reason: str,
    reason: str = "",
) -> InstructorStatusChange:
    """The appointment itself, on a locked instructor: seat check, letter number, transition, notices."""
    if not (agreement_date and term_start and term_end):
        raise DomainError(_("The agreement date and the term are required."), field="agreement_date")
    if term_end <= term_start:
        raise DomainError(_("The term cannot end before it starts."), field="term_end")
    if not instructor.can_transition_to(Instructor.Status.APPOINTED):
        # let the state machine name the impossible move
        instructor.transition_to(Instructor.Status.APPOINTED, actor=actor)
    pool = _lock_pool(instructor.pool)
    _ensure_seat(pool, override_reason=override_reason)
    year = agreement_date.year
    instructor.agreement_date, instructor.term_start, instructor.term_end = agreement_date, term_start, term_end
    instructor.letter_number = f"{pool.doc_prefix}聘〔{year}〕{_next_number(pool, 'letter', year):03d}号"
    appointed = _("Appointed with letter %(n)s") % {"n": instructor.letter_number}
    change = instructor.transition_to(
        Instructor.Status.APPOINTED,
        actor=actor,
        reason=f"{appointed}；{reason.strip()}" if reason.strip() else appointed,
        override_reason=override_reason.strip(),
        save_fields=("agreement_date", "term_start", "term_end", "letter_number"),
    )
    _notify_status(instructor, change)
    recommendation = Recommendation.objects.filter(instructor=instructor).select_related("recommended_by").first()
    if recommendation is not None:
        notification_queue(
            recipients=[recommendation.recommended_by],
            kind="pool_candidate_appointed",
            title=_("%(name)s has been appointed to %(pool)s") % {"name": instructor.name, "pool": pool.name},
            url=reverse("pool:recommendation", args=[recommendation.pk]),
            payload={"instructor_id": instructor.pk, "recommendation_id": recommendation.pk},
        )
    send_instructor_changed([instructor.pk], "status")
    return change


def _locked_instructor(instructor: Instructor) -> Instructor:
    return (
        Instructor.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__organization", "user")
        .get(pk=instructor.pk)
    )


@transaction.atomic
def instructor_transition(
    *, instructor: Instructor, actor: User | None, to_status: str, reason: str = "", override_reason: str = ""
) -> InstructorStatusChange:
    """Move an instructor through the state machine (suspend, remove, restore, promote a reserve …).

    Moving into ``appointed`` from ``approved`` or ``reserve`` is an appointment: it takes a seat (beyond
    the pool's maximum only with ``override_reason``, else ConflictError, HTTP 409) and issues a numbered
    letter with the agreement dated today and a term of ``DEFAULT_TERM_YEARS`` (use ``instructor_appoint``
    to give other dates). From ``suspended`` it restores the appointment. An impossible move raises
    InvalidTransition (409). Suspension and removal need a reason.

    Side effects, in order: history row; notification to the instructor's account (and, for an
    appointment, to whoever recommended them); after commit ``instructor_changed`` (status).
    """
    instructor = _locked_instructor(instructor)
    _require_manager(actor, instructor.pool)
    if to_status not in Instructor.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    if to_status in (Instructor.Status.SUSPENDED, Instructor.Status.REMOVED) and not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    if to_status == Instructor.Status.APPOINTED and instructor.status in APPOINTING_FROM:
        today = timezone.localdate()
        return _appoint(
            instructor,
            actor=actor,
            agreement_date=today,
            term_start=today,
            term_end=_default_term(today),
            override_reason=override_reason,
            reason=reason,
        )
    change = instructor.transition_to(
        to_status, actor=actor, reason=reason.strip(), override_reason=override_reason.strip()
    )
    _notify_status(instructor, change)
    send_instructor_changed([instructor.pk], "status")
    return change


@transaction.atomic
def instructor_appoint(
    *,
    instructor: Instructor,
    actor: User | None,
    agreement_date: date,
    term_start: date,
    term_end: date,
    override_reason: str = "",
) -> Instructor:
    """组织聘任: record the agreement, give the numbered appointment letter and make the instructor active.

    From ``approved`` or ``reserve``. Beyond the pool's maximum only with ``override_reason`` (else 409).
    The letter number is ``<pool prefix>聘〔<year>〕<nnn>号``, counted per pool and year.

    Side effects, in order: the transition and its history row; notifications to the instructor's
    account and to whoever recommended them; after commit ``instructor_changed`` (status).
    """
    instructor = _locked_instructor(instructor)
    _require_manager(actor, instructor.pool)
    _appoint(
        instructor,
        actor=actor,
        agreement_date=agreement_date,
        term_start=term_start,
        term_end=term_end,
        override_reason=override_reason,
    )
    return instructor


@transaction.atomic
def instructor_link_user(*, instructor: Instructor, actor: User | None, user: User) -> Instructor:
    """Give the instructor a log-in: the account gets the instructor role at the pool's organization."""
    instructor = (
        Instructor.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__organization")
        .get(pk=instructor.pk)
    )
    _require_manager(actor, instructor.pool)
    other = Instructor.objects.filter(user=user).exclude(pk=instructor.pk).first()
    if other is not None:
        raise ConflictError(_("%(user)s is already the account of %(other)s.") % {"user": user, "other": other})
    instructor.user = user
    instructor.save(update_fields=["user", "updated_at"])
    role_grant(user=user, role=Role.INSTRUCTOR, organization=instructor.pool.organization, actor=actor)
    return instructor


@transaction.atomic
def instructor_lecture_count_set(*, instructor: Instructor, count: int) -> None:
    """Booking tells the pool how many lectures an instructor has given (shown on the public profile)."""
    Instructor.objects.filter(pk=instructor.pk).update(lecture_count=max(0, int(count)))
    roster_cache.changed()


@transaction.atomic
def instructor_rating_summary_set(
    *, instructor: Instructor, year: int, count: int, mean: Decimal, shrunk_score: Decimal
) -> RatingSummary:
    """Store an instructor's ratings of a year (written by the evaluation app; pool never imports it)."""
    summary, _created = RatingSummary.objects.update_or_create(
        instructor=instructor,
        year=year,
        defaults={
            "count": count,
            "mean": Decimal(mean).quantize(Decimal("0.01")),
            "shrunk_score": Decimal(shrunk_score).quantize(Decimal("0.01")),
        },
    )
    return summary


# --- topics ----------------------------------------------------------------------------------------


def _topic_fields(title: str, abstract: str) -> tuple[str, str]:
    title, abstract = (title or "").strip(), (abstract or "").strip()
    if not title:
        raise DomainError(_("The title is required."), field="title")
    if len(title) > 100:
        raise DomainError(_("A topic title has at most 100 characters."), field="title")
    return title, abstract


@transaction.atomic
def topic_create(*, instructor: Instructor, actor: User | None, title: str, abstract: str = "") -> Topic:
    """Add a lecture topic. Side effects: ``instructor_changed`` (topics) after commit."""
    if actor is not None:
        _require(can_edit_instructor(actor, instructor))
    title, abstract = _topic_fields(title, abstract)
    if instructor.topics.filter(title=title).exists():
        raise DomainError(_("This topic is already listed."), field="title")
    order = (instructor.topics.aggregate(m=Max("order"))["m"] or 0) + 1
    topic = Topic.objects.create(instructor=instructor, title=title, abstract=abstract, order=order)
    send_instructor_changed([instructor.pk], "topics")
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, actor: User | None, title: str, abstract: str = "") -> Topic:
    if actor is not None:
        _require(can_edit_instructor(actor, topic.instructor))
    title, abstract = _topic_fields(title, abstract)
    if topic.instructor.topics.filter(title=title).exclude(pk=topic.pk).exists():
        raise DomainError(_("This topic is already listed."), field="title")
    topic.title, topic.abstract = title, abstract
    topic.save(update_fields=["title", "abstract"])
    send_instructor_changed([topic.instructor_id], "topics")
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, actor: User | None) -> None:
    if actor is not None:
        _require(can_edit_instructor(actor, topic.instructor))
    instructor_id = topic.instructor_id
    topic.delete()
    send_instructor_changed([instructor_id], "topics")


# --- intake: calls ---------------------------------------------------------------------------------


def _clean_counts(category_counts: dict) -> dict[str, int]:
    counts = {}
    for key, value in (category_counts or {}).items():
        if key not in Category.values:
            raise DomainError(_("Unknown category “%(c)s”.") % {"c": key}, field="category_counts")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("Give a whole number for each category."), field="category_counts") from None
        if number < 0:
            raise DomainError(_("Give a whole number for each category."), field="category_counts")
        if number:
            counts[key] = number
    if not counts:
        raise DomainError(_("Ask for at least one instructor in one category."), field="category_counts")
    return counts


@transaction.atomic
def call_create(
    *,
    pool: Pool,
    actor: User,
    title: str,
    category_counts: dict,
    deadline: date,
    requirements: str = "",
    weight_basic: int = 30,
    weight_teaching: int = 40,
    weight_research: int = 30,
    reviewers: Iterable[User] = (),
) -> Call:
    """师资征集: publish a call for candidates.

    Side effects: a notification to the admins of the organizations directly below the pool's one
    (the units that will recommend).
    """
    _require_manager(actor, pool)
    title = title.strip()
    if not title:
        raise DomainError(_("The title is required."), field="title")
    if deadline is None or deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."), field="deadline")
    weights = [int(weight_basic), int(weight_teaching), int(weight_research)]
    if min(weights) < 0 or sum(weights) == 0:
        raise DomainError(_("The weights must be positive."), field="weight_teaching")
    call = Call.objects.create(
        pool=pool,
        title=title,
        requirements=requirements.strip(),
        category_counts=_clean_counts(category_counts),
        deadline=deadline,
        weight_basic=weights[0],
        weight_teaching=weights[1],
        weight_research=weights[2],
        created_by=actor,
    )
    call.reviewers.set(list(reviewers))
    below = Organization.objects.filter(parent=pool.organization)
    recipients = User.objects.filter(
        roles__role=Role.ORG_ADMIN, roles__is_active=True, roles__organization__in=below, is_active=True
    ).distinct()
    notification_queue(
        recipients=recipients,
        kind="pool_call_published",
        title=_("%(pool)s asks for instructors: %(title)s") % {"pool": pool.name, "title": call.title},
        body=_("Recommend candidates by %(date)s.") % {"date": deadline.isoformat()},
        url=reverse("pool:call", args=[call.pk]),
        payload={"call_id": call.pk},
    )
    return call


@transaction.atomic
def call_close(*, call: Call, actor: User | None) -> Call:
    """Stop taking recommendations before (or after) the deadline."""
    call = Call.objects.select_for_update(of=("self",)).select_related("pool").get(pk=call.pk)
    _require_manager(actor, call.pool)
    if call.status == Call.Status.CLOSED:
        raise ConflictError(_("The call is already closed."))
    call.status = Call.Status.CLOSED
    call.save(update_fields=["status"])
    return call


@transaction.atomic
def call_reviewers_set(*, call: Call, actor: User | None, reviewers: Iterable[User]) -> Call:
    """Name the reviewers (组织部门会同党员教育相关部门单位) who score the call's candidates."""
    _require_manager(actor, call.pool)
    call.reviewers.set(list(reviewers))
    return call


@transaction.atomic
def call_review_start(*, call: Call, actor: User | None) -> int:
    """Send every candidate of the call still at ``recommended`` into review; returns how many.

    Side effects: history rows; one notification to the call's reviewers.
    """
    _require_manager(actor, call.pool)
    if not call.reviewers.exists():
        raise DomainError(_("Name the reviewers first."), field="reviewers")
    moved = 0
    candidates = Instructor.objects.select_for_update().filter(
        recommendation__call=call, status=Instructor.Status.RECOMMENDED
    )
    for instructor in candidates:
        instructor.transition_to(Instructor.Status.UNDER_REVIEW, actor=actor, reason=_("Review started"))
        moved += 1
    if moved:
        notification_queue(
            recipients=call.reviewers.all(),
            kind="pool_review_requested",
            title=_("%(n)s candidates of “%(call)s” await your scores") % {"n": moved, "call": call.title},
            url=reverse("pool:call", args=[call.pk]),
            payload={"call_id": call.pk},
        )
    return moved


# --- intake: recommendations, reviews, decisions --------------------------------------------------


@transaction.atomic
def recommendation_create(
    *,
    call: Call,
    actor: User,
    recommending_org: Organization,
    candidate: dict,
    topics: Iterable,
    consent_given: bool,
    consent_method: str,
    consent_date: date,
    reason: str = "",
) -> Recommendation:
    """推荐报名: a unit recommends a candidate against an open call, with the candidate's consent.

    ``candidate`` holds the profile fields (name, gender, category, employer, title, bio, phone …);
    the candidate becomes an instructor of the call's pool at status ``recommended``.

    Side effects, in order: the instructor, its topics and first history row; a notification to the
    pool's admins; after commit ``instructor_changed`` (created).
    """
    call = Call.objects.select_related("pool", "pool__organization").get(pk=call.pk)
    _require(can_recommend_to_call(actor, call))
    j = jurisdiction_of(actor)
    if not (j.covers(recommending_org) and recommending_org.is_within(call.pool.organization)):
        raise DomainError(
            _("Recommend on behalf of an organization you serve, inside the pool's area."), field="recommending_org"
        )
    if not consent_given:
        raise DomainError(_("A candidate is recommended only with their consent (经本人同意)."), field="consent_given")
    if consent_method not in Recommendation.ConsentMethod.values:
        raise DomainError(_("Say how the candidate consented."), field="consent_method")
    if consent_date is None or consent_date > timezone.localdate():
        raise DomainError(_("The consent date cannot be in the future."), field="consent_date")
    category = candidate.get("category")
    if category not in call.category_counts:
        raise DomainError(_("The call does not ask for this category."), field="category")
    topic_list = _topics_clean(topics)
    if not topic_list:
        raise DomainError(_("Give at least one lecture topic."), field="topics")
    fields = {k: v for k, v in candidate.items() if k not in {"name", "gender", "category"}}
    instructor = instructor_create(
        pool=call.pool,
        actor=None,  # the recommender is not the pool's admin; permission was checked above
        name=candidate.get("name", ""),
        gender=candidate.get("gender", ""),
        category=category,
        topics=[{"title": t, "abstract": a} for t, a in topic_list],
        reason=_("Recommended by %(org)s") % {"org": recommending_org.full_name},
        **fields,
    )
    InstructorStatusChange.objects.filter(instructor=instructor).update(actor=actor)
    recommendation = Recommendation.objects.create(
        call=call,
        instructor=instructor,
        recommending_org=recommending_org,
        recommended_by=actor,
        reason=reason.strip(),
        consent_method=consent_method,
        consent_date=consent_date,
    )
    notification_queue(
        recipients=_pool_admins(call.pool),
        kind="pool_recommendation_received",
        title=_("%(org)s recommends %(name)s for “%(call)s”")
        % {"org": recommending_org.full_name, "name": instructor.name, "call": call.title},
        url=reverse("pool:recommendation", args=[recommendation.pk]),
        payload={"recommendation_id": recommendation.pk, "call_id": call.pk},
    )
    return recommendation


@transaction.atomic
def review_submit(
    *,
    recommendation: Recommendation,
    reviewer: User,
    score_basic: int,
    score_teaching: int,
    score_research: int,
    comment: str = "",
) -> Review:
    """审核评定: a reviewer scores a candidate under review (0–100 each); scoring again replaces it."""
    recommendation = Recommendation.objects.select_related("call", "instructor").get(pk=recommendation.pk)
    _require(can_review_recommendation(reviewer, recommendation))
    if recommendation.instructor.status != Instructor.Status.UNDER_REVIEW:
        raise ConflictError(_("Only candidates under review can be scored."))
    scores = {}
    for name, value in (
        ("score_basic", score_basic),
        ("score_teaching", score_teaching),
        ("score_research", score_research),
    ):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= 100:
            raise DomainError(_("A score from 0 to 100."), field=name)
        scores[name] = number
    review, _created = Review.objects.update_or_create(
        recommendation=recommendation,
        reviewer=reviewer,
        defaults={**scores, "comment": comment.strip(), "created_at": timezone.now()},
    )
    return review


DECISIONS = {
    "approve": Instructor.Status.APPROVED,
    "reserve": Instructor.Status.RESERVE,
    "reject": Instructor.Status.REJECTED,
}


@transaction.atomic
def recommendation_decide(
    *, recommendation: Recommendation, actor: User | None, decision: str, reason: str = ""
) -> Instructor:
    """The admin decides on a reviewed candidate: approve (择优确定), keep as reserve, or reject.

    Approving or reserving needs at least one review; the combined score at that moment is kept.
    Side effects, in order: history row; notification to the recommender; ``instructor_changed``.
    """
    recommendation = with_scores(Recommendation.objects.select_related("call", "call__pool", "recommended_by")).get(
        pk=recommendation.pk
    )
    call = recommendation.call
    _require_manager(actor, call.pool)
    if decision not in DECISIONS:
        raise DomainError(_("Choose approve, reserve or reject."), field="decision")
    if decision != "reject" and not recommendation.review_count:
        raise ConflictError(_("No reviewer has scored this candidate yet."))
    if decision == "reject" and not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    instructor = (
        Instructor.objects.select_for_update(of=("self",)).select_related("pool").get(pk=recommendation.instructor_id)
    )
    score = combined_score(recommendation)
    instructor.transition_to(DECISIONS[decision], actor=actor, reason=reason.strip())
    Recommendation.objects.filter(pk=recommendation.pk).update(decision_score=score)
    notification_queue(
        recipients=[recommendation.recommended_by],
        kind="pool_recommendation_decided",
        title=_("Decision on %(name)s: %(status)s")
        % {"name": instructor.name, "status": instructor.get_status_display()},
        body=reason.strip(),
        url=reverse("pool:recommendation", args=[recommendation.pk]),
        payload={"recommendation_id": recommendation.pk},
    )
    send_instructor_changed([instructor.pk], "status")
    return instructor


# --- rosters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterPreview:
    added: list[Instructor]
    kept: list[Instructor]
    removed: list[RosterEntry]


def roster_preview(pool: Pool) -> RosterPreview:
    """What publishing now would add and remove against the last published version."""
    active = list(
        pool.instructors.filter(status=Instructor.Status.APPOINTED)
        .prefetch_related("topics")
        .order_by("category", "code")
    )
    last = pool.roster_versions.order_by("-version").first()
    listed = {}
    if last is not None:
        listed = {e.instructor_id: e for e in last.entries.exclude(change=RosterEntry.Change.REMOVED)}
    active_ids = {i.pk for i in active}
    return RosterPreview(
        added=[i for i in active if i.pk not in listed],
        kept=[i for i in active if i.pk in listed],
        removed=[e for pk, e in listed.items() if pk not in active_ids],
    )


@transaction.atomic
def roster_publish(*, pool: Pool, actor: User | None, title: str = "", note: str = "") -> RosterVersion:
    """以文件形式公布: publish the pool's active instructors as the next numbered roster version.

    Each version lists who is on the roster and who was added or removed since the previous one
    (snapshots, so later edits of an instructor do not rewrite a published document). The yearly
    evaluation publishes through this too.

    Side effects: notifications to the accounts of the instructors added.
    """
    pool = _lock_pool(pool)
    _require_manager(actor, pool)
    preview = roster_preview(pool)
    now = timezone.now()
    year = timezone.localdate(now).year
    version = (pool.roster_versions.aggregate(m=Max("version"))["m"] or 0) + 1
    number = f"{pool.doc_prefix}〔{year}〕{_next_number(pool, 'roster', year)}号"
    roster = RosterVersion.objects.create(
        pool=pool,
        version=version,
        number=number,
        title=title.strip() or _("Roster of %(pool)s (version %(v)s)") % {"pool": pool.name, "v": version},
        note=note.strip(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=now,
        size=len(preview.added) + len(preview.kept),
        added_count=len(preview.added),
        removed_count=len(preview.removed),
    )

    def entry(instructor: Instructor, change: str) -> RosterEntry:
        return RosterEntry(
            roster=roster,
            instructor=instructor,
            change=change,
            code=instructor.code,
            name=instructor.name,
            category=instructor.category,
            employer=instructor.employer,
            title=instructor.title,
            topics="；".join(t.title for t in instructor.topics.all()),
        )

    rows = [entry(i, RosterEntry.Change.ADDED) for i in preview.added]
    rows += [entry(i, RosterEntry.Change.KEPT) for i in preview.kept]
    for old in preview.removed:
        old.pk = None
        old.roster = roster
        old.change = RosterEntry.Change.REMOVED
        rows.append(old)
    RosterEntry.objects.bulk_create(rows, batch_size=500)
    users = [i.user_id for i in preview.added if i.user_id]
    if users:
        notification_queue(
            recipients=User.objects.filter(pk__in=users),
            kind="pool_roster_published",
            title=_("You are on the published roster %(n)s") % {"n": number},
            url=reverse("pool:roster-document", args=[roster.pk]),
            payload={"roster_id": roster.pk},
        )
    return roster


# --- suggestions -----------------------------------------------------------------------------------


@transaction.atomic
def suggestion_send(*, instructor: Instructor, actor: User, about: str, subject: str, body: str) -> Suggestion:
    """师资的权利: an instructor suggests something on teaching or management to the pool's admins.

    Side effects: a notification to the pool's admins.
    """
    instructor = Instructor.objects.select_related("pool", "pool__organization").get(pk=instructor.pk)
    _require(instructor.user_id is not None and instructor.user_id == actor.pk)
    if about not in Suggestion.About.values:
        raise DomainError(_("Say whether it is about teaching or management."), field="about")
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise DomainError(_("The subject is required."), field="subject")
    if not body:
        raise DomainError(_("Write the suggestion."), field="body")
    suggestion = Suggestion.objects.create(
        instructor=instructor, pool=instructor.pool, about=about, subject=subject[:120], body=body
    )
    notification_queue(
        recipients=_pool_admins(instructor.pool),
        kind="pool_suggestion_received",
        title=_("Suggestion from %(name)s: %(subject)s") % {"name": instructor.name, "subject": suggestion.subject},
        body=body,
        url=reverse("pool:suggestions"),
        payload={"suggestion_id": suggestion.pk},
    )
    return suggestion


@transaction.atomic
def suggestion_answer(*, suggestion: Suggestion, actor: User, answer: str) -> Suggestion:
    """The pool's admin answers a suggestion. Side effects: a notification to the instructor."""
    suggestion = (
        Suggestion.objects.select_for_update(of=("self",)).select_related("pool", "instructor").get(pk=suggestion.pk)
    )
    _require(can_answer_suggestion(actor, suggestion))
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    if suggestion.status == Suggestion.Status.ANSWERED:
        raise ConflictError(_("This suggestion has been answered already."))
    suggestion.answer, suggestion.answered_by, suggestion.answered_at = answer, actor, timezone.now()
    suggestion.status = Suggestion.Status.ANSWERED
    suggestion.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    if suggestion.instructor.user_id:
        notification_queue(
            recipients=User.objects.filter(pk=suggestion.instructor.user_id),
            kind="pool_suggestion_answered",
            title=_("Your suggestion “%(subject)s” has been answered") % {"subject": suggestion.subject},
            body=answer,
            url=reverse("pool:me"),
            payload={"suggestion_id": suggestion.pk},
        )
    return suggestion


# --- import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    by_pool: dict[str, int]
    instructor_ids: list[int]


def _pools_for_file(header: list[str], rows: list[list[str]], *, actor: User | None) -> int:
    """Open the pools the file names that do not exist yet (``--create-pools``); returns how many."""
    if "所属" not in header:
        return 0
    column = header.index("所属")
    names = {r[column].strip() for r in rows if column < len(r) and r[column].strip()}
    orgs = Organization.objects.filter(
        full_name__in=names, kind__in=list(LEVEL_OF_KIND), instructor_pool__isnull=True
    ) | Organization.objects.filter(name__in=names, kind__in=list(LEVEL_OF_KIND), instructor_pool__isnull=True)
    by_name: dict[str, list[Organization]] = {}
    for org in orgs.distinct():
        by_name.setdefault(org.name, []).append(org)
        if org.full_name != org.name:
            by_name.setdefault(org.full_name, []).append(org)
    created = 0
    for name in names:
        matches = by_name.get(name, [])
        if len(matches) == 1 and not Pool.objects.filter(organization=matches[0]).exists():
            pool_create(organization=matches[0], actor=actor)
            created += 1
    return created


def _sub_area_candidates() -> dict[str, list[tuple[int, list[str]]]]:
    out: dict[str, list[tuple[int, list[str]]]] = {}
    for sub_area in SubArea.objects.order_by("category", "order", "id"):
        out.setdefault(sub_area.category, []).append((sub_area.pk, sub_area.keyword_list()))
    return out


@transaction.atomic
def instructors_import(
    *,
    data: bytes,
    filename: str,
    actor: User | None,
    quota_override_reason: str = "",
    create_pools: bool = False,
) -> ImportResult:
    """Import instructors from an .xlsx or .csv file with the header of SPEC section 3.

    Every row is checked first (``pool.imports.validate_rows``); any bad row raises ImportRejected with
    each problem by row and column, and nothing is written. A new 编号 becomes an active (appointed)
    instructor; a known 编号 is updated in place (its status is left as it is; an empty 手机 keeps the
    stored number; topics are matched by title so their abstracts survive). Without a 子领域 column,
    sub-areas are guessed from topics and bio for new instructors and for those whose category changed.

    Side effects, in order: pools named by the file, with ``create_pools`` (system or their admins);
    instructors, topics, sub-areas and one history row per new instructor; after commit
    ``instructor_changed`` (imported) with every id.
    """
    from .categories import guess_sub_areas
    from .imports import read_table, validate_rows

    header, rows = read_table(data, filename)
    if create_pools:
        _pools_for_file(header, rows, actor=actor)
    plan = validate_rows(header, rows, actor=actor, quota_override_reason=quota_override_reason)
    candidates = _sub_area_candidates()
    through = Instructor.sub_areas.through
    now = timezone.now()
    reason = _("Imported from %(file)s") % {"file": filename}
    actor_or_none = actor if getattr(actor, "is_authenticated", False) else None

    def guessed(row) -> list[int]:
        return guess_sub_areas(candidates.get(row.category, []), topics=row.topics, bio=row.bio)

    # new instructors
    new = [
        Instructor(
            pool=r.pool,
            code=r.code,
            name=r.name,
            gender=r.gender,
            employer=r.employer,
            title=r.title,
            fee_grade=r.fee_grade or fee_grade_for_title(r.title),
            is_party_member=r.is_party_member,
            category=r.category,
            bio=r.bio,
            phone=r.phone,
            phone_hash=keyed_hash(r.phone) if r.phone else "",
            service_area=r.service_area or "",
            monthly_limit=r.monthly_limit or 4,
            status=Instructor.Status.APPOINTED,
            created_at=now,
        )
        for r in plan.new_rows
    ]
    Instructor.objects.bulk_create(new, batch_size=500)
    topics, tags, history = [], [], []
    for instructor, row in zip(new, plan.new_rows, strict=True):
        topics += [Topic(instructor=instructor, title=t, order=i) for i, t in enumerate(row.topics)]
        ids = row.sub_area_ids if row.sub_area_ids is not None else guessed(row)
        tags += [through(instructor_id=instructor.pk, subarea_id=pk) for pk in ids]
        history.append(
            InstructorStatusChange(
                instructor=instructor,
                from_status="",
                to_status=Instructor.Status.APPOINTED,
                actor=actor_or_none,
                reason=reason,
                created_at=now,
            )
        )

    # known codes: update in place
    updated_rows = plan.updated_rows
    changed_fields: set[str] = set()
    retag: dict[int, list[int]] = {}
    old_topics: dict[int, dict[str, Topic]] = {}
    for topic in Topic.objects.filter(instructor__in=[r.existing.pk for r in updated_rows]):
        old_topics.setdefault(topic.instructor_id, {})[topic.title] = topic
    stale_topics = []
    for row in updated_rows:
        instructor = row.existing
        values = {
            "pool": row.pool,
            "name": row.name,
            "gender": row.gender,
            "employer": row.employer,
            "title": row.title,
            "is_party_member": row.is_party_member,
            "category": row.category,
            "bio": row.bio,
        }
        if row.phone:
            values["phone"] = row.phone
        if row.fee_grade:
            values["fee_grade"] = row.fee_grade
        elif row.title != instructor.title:
            values["fee_grade"] = fee_grade_for_title(row.title)
        if row.monthly_limit:
            values["monthly_limit"] = row.monthly_limit
        if row.service_area is not None:
            values["service_area"] = row.service_area
        category_changed = row.category != instructor.category
        changed_fields.update(_apply(instructor, values))
        if row.sub_area_ids is not None:
            retag[instructor.pk] = row.sub_area_ids
        elif category_changed:
            retag[instructor.pk] = guessed(row)
        existing_topics = old_topics.get(instructor.pk, {})
        stale_topics += [t.pk for title, t in existing_topics.items() if title not in row.topics]
        for i, title in enumerate(row.topics):
            topic = existing_topics.get(title)
            if topic is None:
                topics.append(Topic(instructor=instructor, title=title, order=i))
            elif topic.order != i:
                topic.order = i
                topic.save(update_fields=["order"])
    if changed_fields:
        changed_fields.add("updated_at")
        for row in updated_rows:
            row.existing.updated_at = now
        Instructor.objects.bulk_update([r.existing for r in updated_rows], sorted(changed_fields), batch_size=500)
    if stale_topics:
        Topic.objects.filter(pk__in=stale_topics).delete()
    if retag:
        through.objects.filter(instructor_id__in=list(retag)).delete()
        tags += [through(instructor_id=pk, subarea_id=sid) for pk, ids in retag.items() for sid in ids]
    Topic.objects.bulk_create(topics, batch_size=1000)
    through.objects.bulk_create(tags, batch_size=1000)
    InstructorStatusChange.objects.bulk_create(history, batch_size=1000)

    ids = [i.pk for i in new] + [r.existing.pk for r in updated_rows]
    send_instructor_changed(ids, "imported")
    by_pool: dict[str, int] = {}
    for row in plan.rows:
        by_pool[row.pool.name] = by_pool.get(row.pool.name, 0) + 1
    return ImportResult(created=len(new), updated=len(updated_rows), by_pool=by_pool, instructor_ids=ids)
