"""The access matrix: every named URL × every demo role × a target in an own / sibling / parent
jurisdiction gives the status that the SPEC's jurisdiction rules call for.

How it works
------------
``ROWS`` holds one :class:`Row` per URL name (``"booking:detail"``, ``"booking-accept"``; API names
are the router's, without a namespace), written with ``R(target, get=..., post=...)``. A row says

* ``target``: the kind of object the URL names (a key of the dict ``_build_targets`` returns), or
  ``None`` for a URL without one. ``places`` (default: ``DEFAULT_PLACES[target]``) picks which of that
  kind's objects to try. ``PLACES``: ``A`` is the branch of ``secretary`` and ``member``, ``B`` the
  sibling branch of ``secretary2`` in the same committee, ``X`` the Xuzhou branch of
  ``xuzhou_secretary``; ``jiangning``, ``nanjing``, ``xuzhou`` and ``province`` are the organizations
  above them; ``instructor`` / ``member`` / ``secretary`` are that demo person's own things. Seen from
  each role a place is ``own`` (inside the role's jurisdiction, or the role's own person), ``sibling``
  (beside it), ``parent`` (above it), ``other`` (someone else's, for instructor and member) or
  ``public`` (anonymous): the test id names role, place and relation, e.g.
  ``booking:detail-GET-secretary2-A(sibling)``;
* ``kwargs``: how to build the URL's arguments from the target object (default ``{"pk": obj.pk}``;
  ``no_kwargs`` for a URL without arguments whose target only goes into the query or the body);
  ``query``: GET parameters the URL needs (a dict, or a function of the target object);
  ``multipart``: an upload endpoint; ``body``: a function of the target object giving a valid body
  for the unsafe methods (JSON on the API, form data on pages) where an empty body would be refused
  alike for everyone before the person is looked at;
* one :class:`Rule` per HTTP method (``get``, ``post``, ``put``, ``patch``, ``delete``) saying who is
  *allowed*: ``anyone``, ``users``, ``nobody``, ``roles(...)``, ``within(...)`` (the role's
  jurisdiction covers the place), ``inside(...)`` (the role's organization is the place's or below),
  ``manages`` (the admin of exactly that organization, e.g. a pool's own department), ``owner``,
  ``instructor_side(kind)`` … combined with ``|``, ``&`` and ``not_``; ``absent`` for a method that is
  routed but offered to nobody (405);
* ``elsewhere``: for a create on a list endpoint whose ``body`` names the target (``no_kwargs``), the
  roles that may create that kind of thing in their own jurisdiction. Naming a target outside it, they
  are told the target does not exist (400 on that field, DRF's related-field answer) rather than 403.

Expected statuses (SPEC section 9):

* allowed GET: 200 (``ok`` overrides, e.g. an index page that redirects);
* allowed unsafe request (an empty body, or ``body``): taken, or refused as bad input or a conflict (2xx,
  302, 400, 409);
* logged-in role not allowed, GET: 403 or 404 (``others`` overrides, e.g. a page that redirects a
  member to their own). A row marked ``scoped`` (``**LIST``) is a list of the caller's jurisdiction:
  a role without one may instead get 200 with an empty list (checked for JSON);
* logged-in role not allowed, unsafe request: refused as a person before the input is read — 403 (the
  object is visible to them but the action is not theirs, or they may never create that kind of thing)
  or 404 (the object lies outside their jurisdiction); 405 where the method is ``absent``; never 400
  (the input is not looked at), never 409 (nor its state), never 2xx. The one 400: a role in the row's
  ``elsewhere`` naming, in a create's body, a target outside its jurisdiction. A page may redirect with
  an error message, never with a success message;
* anonymous, not allowed: 401 on the API, a redirect to the log-in page on pages;
* never 500: the test client raises on a server error.

Adding a URL
------------
``test_every_url_has_a_row`` walks ``config.urls`` and fails naming every URL without a row (and every
row whose URL is gone). To add one, put a line in the app's dict below (for records: ``RECORDS``)::

    RECORDS = {
        "records:entry": R("entry", get=within(STAFF) | owner),
        "record-entry-list": R("member", kwargs=no_kwargs, get=users, post=keeps, body=..., **LIST),
        "record-entry-confirm": R("entry", post=owner),
    }

and, for a new kind of target, fill ``t["entry"] = {place: object}`` in ``_build_targets`` (through the
app's services where the demo province lacks one) with at least a place inside the secretary's branch
and one outside it (``A`` and ``B`` or ``X``; ``member`` for the demo member's own), and name the
places in ``DEFAULT_PLACES``. Django admin URLs need no rows: ``test_admin_access`` walks them all.

The demo province is seeded once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint of its own, so unsafe requests do not leak into the next case.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import constants as message_constants
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# --- roles and places ----------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "province_admin",
    "nanjing_admin",
    "jiangning_admin",
    "secretary",
    "secretary2",
    "xuzhou_secretary",
    "instructor",
    "member",
]
ADMINS = frozenset({"province_admin", "nanjing_admin", "jiangning_admin"})
SECRETARIES = frozenset({"secretary", "secretary2", "xuzhou_secretary"})
STAFF = ADMINS | SECRETARIES

# Organization places and the one above each: the demo tree, as far as the matrix needs it.
PARENT = {"A": "jiangning", "B": "jiangning", "jiangning": "nanjing", "nanjing": "province", "X": "xuzhou"}
PARENT["xuzhou"] = "province"
# The organization each role administers or leads; instructor and member only have their own things.
ROLE_ORG = {
    "province_admin": "province",
    "nanjing_admin": "nanjing",
    "jiangning_admin": "jiangning",
    "secretary": "A",
    "secretary2": "B",
    "xuzhou_secretary": "X",
}


@dataclass(frozen=True)
class Place:
    org: str  # an organization place: where the target belongs
    owner: str | None = None  # the role whose own person the target is


PLACES = {
    **{name: Place(name) for name in ("A", "B", "X", "jiangning", "nanjing", "xuzhou", "province")},
    "instructor": Place("province", owner="instructor"),  # the demo instructor's own (provincial pool)
    "member": Place("A", owner="member"),  # the demo member's own (secretary's branch)
    "secretary": Place("A", owner="secretary"),  # addressed to the secretary as a person
}


def _ancestors(org: str) -> list[str]:
    chain = []
    while org in PARENT:
        org = PARENT[org]
        chain.append(org)
    return chain


def relation(role: str, place_name: str) -> str:
    """own / sibling / parent / other: where the place lies seen from the role."""
    place = PLACES[place_name]
    if role == "anonymous":
        return "public"
    if place.owner == role:
        return "own"
    org = ROLE_ORG.get(role)
    if org is None:
        return "other"
    if place.org == org or org in _ancestors(place.org):
        return "own"
    if place.org in _ancestors(org):
        return "parent"
    return "sibling"


# --- rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who is allowed: a predicate of (role, place name or None)."""

    test: Callable[[str, str | None], bool]
    text: str

    def __call__(self, role: str, place: str | None) -> bool:
        return self.test(role, place)

    def __or__(self, other: Rule) -> Rule:
        return Rule(lambda r, p: self(r, p) or other(r, p), f"{self.text} | {other.text}")

    def __and__(self, other: Rule) -> Rule:
        return Rule(lambda r, p: self(r, p) and other(r, p), f"{self.text} & {other.text}")


anyone = Rule(lambda r, p: True, "anyone")
nobody = Rule(lambda r, p: False, "nobody")
# A method the URL routes but offers to nobody (http_method_names): 405 for every logged-in role.
absent = Rule(lambda r, p: False, "absent")
users = Rule(lambda r, p: r != "anonymous", "users")


def roles(*names: str | frozenset) -> Rule:
    wanted = frozenset(itertools.chain.from_iterable([n] if isinstance(n, str) else n for n in names))
    return Rule(lambda r, p: r in wanted, f"roles{sorted(wanted)}")


def within(*names: str | frozenset) -> Rule:
    """Roles among ``names`` whose jurisdiction covers the place (it is theirs or below them)."""
    return roles(*names) & Rule(lambda r, p: p is None or relation(r, p) == "own", "own")


# The role whose own person the target is (the instructor's profile, the member's record).
owner = Rule(lambda r, p: p is not None and PLACES[p].owner == r, "owner")
# The admins of exactly that organization: a pool is managed by its own department (pool/permissions).
manages = Rule(lambda r, p: r in ADMINS and p is not None and ROLE_ORG[r] == PLACES[p].org, "manages")
# Admins above a branch: a committee's approval (members), supervision (activity).
admin_within = within(ADMINS)


def inside(*names: str | frozenset) -> Rule:
    """Roles among ``names`` whose organization is the place's or below it (recommending to a call)."""
    return roles(*names) & Rule(lambda r, p: ROLE_ORG.get(r) == PLACES[p].org or relation(r, p) == "parent", "inside")


# Where a member or an instructor holds their role: they see that organization's node.
ROLE_HOME = {"member": "A", "instructor": "province"}
role_home = Rule(lambda r, p: ROLE_HOME.get(r) == p, "role home")

# The instructor side of a booking or lecture: its instructor's account, or the admins of the
# instructor's pool when the instructor has none (booking/permissions.can_act_for_instructor). The
# fixture fills it from the targets: (kind, place) → role; in the demo province the secretary's
# bookings are with the demo instructor, the other branches' with provincial instructors without an
# account, answered by province_admin.
INSTRUCTOR_SIDE: dict[tuple[str, str], str] = {}


def instructor_side(kind: str) -> Rule:
    return Rule(lambda r, p: INSTRUCTOR_SIDE.get((kind, p)) == r, f"instructor side of the {kind}")


def not_(rule: Rule) -> Rule:
    return Rule(lambda r, p: not rule(r, p), f"not {rule.text}")


@dataclass(frozen=True)
class Row:
    target: str | None = None
    places: tuple[str, ...] = ()
    kwargs: Callable[[object], dict] | None = None
    get: Rule | None = None
    post: Rule | None = None
    put: Rule | None = None
    patch: Rule | None = None
    delete: Rule | None = None
    ok: frozenset[int] = frozenset({200})  # an allowed GET
    others: frozenset[int] = frozenset({403, 404})  # a logged-in role that is not allowed
    # A list scoped to the caller's jurisdiction: a role with none may also get 200 with an empty list.
    scoped: bool = False
    # GET parameters the URL needs: a dict, or a function of the target object.
    query: dict | Callable[[object], dict] = field(default_factory=dict)
    multipart: bool = False  # an upload: the empty body goes as multipart/form-data, not JSON
    # A body for the unsafe methods instead of an empty one (a function of the target object): where the
    # input is checked before the person, an empty body is refused alike for everyone (400) and says
    # nothing of who may act. JSON on the API, form data on pages.
    body: Callable[[object], dict] | None = None
    # A create whose body names the target: the roles that may create such things in their own
    # jurisdiction, who are answered 400 (no such object) for a target outside it rather than 403.
    elsewhere: Rule | None = None

    def rules(self) -> dict[str, Rule]:
        return {
            m: getattr(self, m.lower())
            for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if getattr(self, m.lower()) is not None
        }


def R(target=None, places=None, **kw) -> Row:
    for key in ("ok", "others"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    if target is not None and places is None:
        places = DEFAULT_PLACES.get(target, ("A", "B", "X"))
    return Row(target=target, places=tuple(places or ()), **kw)


def pk(obj) -> dict:
    return {"pk": obj.pk}


def no_kwargs(obj) -> dict:
    """A URL without arguments whose target only goes into the body or the query (a create, a filter)."""
    return {}


# --- targets: the objects URLs name, per place, found in (or added to) the demo province ------------

DEFAULT_PLACES = {
    "org": ("A", "B", "X", "jiangning", "nanjing", "province"),
    "pool": ("province", "nanjing", "jiangning", "xuzhou"),
    "roster": ("province", "nanjing", "xuzhou"),
    "instructor": ("instructor", "nanjing", "xuzhou"),
    "topic": ("instructor", "nanjing"),
    "schedule": ("instructor", "nanjing", "xuzhou"),
    "blocked": ("instructor",),
    "feed": ("instructor",),
    "call": ("province", "nanjing"),
    "recommendation": ("jiangning", "nanjing"),
    "suggestion": ("instructor",),
    "notification": ("secretary",),
    "member": ("member", "A", "B", "X"),
    "probation": ("A",),
    "decision": ("A",),
    "exemption": ("A",),
    "activist": ("A",),
    "mobile": ("A", "B"),
    "mobile_notice": ("A",),
    "census": ("jiangning", "xuzhou"),
    "partnership": ("A",),
    "activity": ("A", "B", "X"),
    "attachment": ("A",),
    "case": ("jiangning",),
    "question": ("A",),
    "report": ("A", "B", "X"),
    "rule": ("jiangning", "xuzhou"),
    "holiday_calendar": ("province",),
    "rating_link": ("A",),
    "booking": ("A", "B", "X"),
    "open_booking": ("A",),
    "open_answer": ("A",),
    "lecture": ("A", "B", "X"),
    "confirmed": ("A", "B", "X"),
    "run": ("province",),
    "proposal": ("province",),
    "branch": ("A", "B", "X"),
    "entry": ("member", "A", "B", "X"),
    "disputed_entry": ("member", "A", "B", "X"),
    "confirmed_entry": ("member", "A", "B", "X"),
    "card": ("member", "A", "B", "X"),
    "payment": ("member", "A", "B", "X"),
    "points_table": ("A", "B", "X"),
    "points_org": ("jiangning", "xuzhou"),
}


@dataclass
class World:
    users: dict
    orgs: dict
    targets: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # a logged-in session per role, made once


def _orgs() -> dict:
    from orgs.models import Organization, Role

    def org_of(username, role):
        return Organization.objects.get(role_assignments__user__username=username, role_assignments__role=role)

    a = org_of("secretary", Role.SECRETARY)
    x = org_of("xuzhou_secretary", Role.SECRETARY)
    return {
        "A": a,
        "B": org_of("secretary2", Role.SECRETARY),
        "X": x,
        "jiangning": org_of("jiangning_admin", Role.ORG_ADMIN),
        "nanjing": org_of("nanjing_admin", Role.ORG_ADMIN),
        "province": org_of("province_admin", Role.ORG_ADMIN),
        "xuzhou": Organization.objects.get(name="徐州市"),
        "committee:A": a.parent,
        "committee:X": x.parent,
    }


def _by_org(qs, field_path: str, orgs: dict, places) -> dict:
    found = {}
    for place in places:
        obj = qs.filter(**{field_path: orgs[place]}).order_by("pk").first()
        if obj is not None:
            found[place] = obj
    return found


def _build_targets(world: World) -> dict:
    from activity import services as activity_services
    from activity.models import Activity, DayRule, ExcellentCase, HolidayCalendar, MonthlyReport, Question
    from booking import services as booking_services
    from booking.models import Booking, OpenAnswer
    from evaluation import services as evaluation_services
    from evaluation.models import EvaluationRun, Proposal, RatingWindow
    from members import services as member_services
    from members.models import (
        Activist,
        Member,
        MobileMembership,
        MobileNotice,
        Partnership,
        Probation,
        ProbationDecision,
        RecordExemption,
    )
    from notifications.models import Notification
    from notifications.selectors import inbox
    from notifications.services import notification_deliver
    from pool import services as pool_services
    from pool.models import Call, Instructor, Pool, Recommendation, RosterVersion, Suggestion, Topic

    orgs, users = world.orgs, world.users
    t: dict[str, dict] = {}
    # Notifications go out on commit, which never comes inside the module's transaction: send them now.
    for notification_id in Notification.objects.values_list("pk", flat=True):
        notification_deliver(notification_id=notification_id)
    t["org"] = {p: orgs[p] for p in DEFAULT_PLACES["org"]}

    active = Instructor.objects.filter(status=Instructor.Status.APPOINTED, user__isnull=True)
    demo_instructor = Instructor.objects.get(user=users["instructor"])
    pools = _by_org(Pool.objects.all(), "organization", orgs, ("province", "nanjing", "xuzhou", "jiangning"))
    if "jiangning" not in pools:
        pools["jiangning"] = pool_services.pool_create(organization=orgs["jiangning"], actor=users["jiangning_admin"])
    t["pool"] = pools
    t["roster"] = _by_org(RosterVersion.objects.all(), "pool__organization", orgs, DEFAULT_PLACES["roster"])
    t["instructor"] = {
        "instructor": demo_instructor,
        **_by_org(active, "pool__organization", orgs, ("nanjing", "xuzhou")),
    }
    t["topic"] = {
        "instructor": Topic.objects.filter(instructor=demo_instructor).first(),
        "nanjing": Topic.objects.filter(instructor=t["instructor"]["nanjing"]).first(),
    }
    t["schedule"] = t["instructor"]
    t["blocked"] = {
        "instructor": booking_services.blocked_period_add(
            instructor=demo_instructor,
            actor=users["instructor"],
            first_day=timezone.localdate() + timedelta(days=400),
            reason="matrix",
        )
    }
    t["feed"] = {"instructor": booking_services.calendar_feed_rotate(instructor=demo_instructor, actor=None)}
    call = Call.objects.get(pool=pools["province"])
    t["call"] = {
        "province": call,
        "nanjing": pool_services.call_create(
            pool=pools["nanjing"],
            actor=users["nanjing_admin"],
            title="南京市师资征集",
            category_counts={"theory": 2},
            deadline=timezone.localdate() + timedelta(days=30),
        ),
    }
    t["recommendation"] = _by_org(Recommendation.objects.all(), "recommending_org", orgs, ("jiangning", "nanjing"))
    t["suggestion"] = {"instructor": Suggestion.objects.filter(instructor=demo_instructor).first()}
    t["notification"] = {"secretary": inbox(users["secretary"]).first()}

    # The secretary's booking is with the demo instructor; the others with instructors without an account.
    bookings = Booking.objects.exclude(status=Booking.Status.DELIVERED).exclude(kind=Booking.Kind.OPEN)
    t["booking"] = {
        "A": bookings.filter(branch=orgs["A"], instructor=demo_instructor).first(),
        **_by_org(bookings.filter(instructor__user=None), "branch", orgs, ("B", "X")),
    }
    t["open_booking"] = _by_org(Booking.objects.filter(kind=Booking.Kind.OPEN), "branch", orgs, ("A",))
    t["open_answer"] = {"A": OpenAnswer.objects.get(booking__branch=orgs["A"])}
    # Lectures whose rating is open, so that the page asks who is rating rather than saying it closed.
    delivered = Booking.objects.filter(
        status=Booking.Status.DELIVERED, rating_window__closes_at__gt=timezone.now()
    ).order_by("-rating_window__closes_at")
    t["lecture"] = _by_org(delivered, "branch", orgs, ("A",))
    # The sibling and Xuzhou branches' latest lectures: their rating windows are kept open a week longer
    # (no service moves a window; this is arrangement, not the behaviour under test).
    for place in ("B", "X"):
        lecture = Booking.objects.filter(status=Booking.Status.DELIVERED, branch=orgs[place]).latest("starts_at")
        RatingWindow.objects.filter(booking=lecture).update(closes_at=timezone.now() + timedelta(days=7))
        t["lecture"][place] = lecture
    closed = Booking.objects.filter(status=Booking.Status.DELIVERED, rating_window__closes_at__lte=timezone.now())
    t["closed_lecture"] = _by_org(closed, "branch", orgs, ("B", "X"))
    link = evaluation_services.rating_links_create(booking=t["lecture"]["A"], actor=users["secretary"], count=1)[0]
    t["rating_link"] = {"A": link}
    confirmed = Booking.objects.filter(status=Booking.Status.ACCEPTED)
    t["confirmed"] = _by_org(confirmed, "branch", orgs, ("A", "B", "X"))
    admin_of = {orgs[place].pk: role for role, place in ROLE_ORG.items() if role in ADMINS}
    for kind in ("booking", "lecture", "open_answer", "confirmed"):
        for place, booking in t[kind].items():
            instructor = booking.instructor
            INSTRUCTOR_SIDE[(kind, place)] = (
                instructor.user.username if instructor.user else admin_of.get(instructor.pool.organization_id)
            )
    assert INSTRUCTOR_SIDE[("booking", "A")] == "instructor", "the secretary books the demo instructor"
    assert {INSTRUCTOR_SIDE[("booking", p)] for p in ("B", "X")} == {"province_admin"}
    run = EvaluationRun.objects.get(pool=pools["province"])
    t["run"] = {"province": run}
    t["proposal"] = {"province": Proposal.objects.filter(run=run).first()}

    members = Member.objects.exclude(user=users["member"])
    t["member"] = {
        "member": Member.objects.get(user=users["member"]),
        **_by_org(members, "branch", orgs, ("A", "B", "X")),
    }
    t["probation"] = _by_org(Probation.objects.all(), "member__branch", orgs, ("A",))
    probation = t["probation"]["A"]
    decision = ProbationDecision.objects.filter(probation=probation).first() or (
        member_services.probation_decision_propose(
            actor=users["secretary"],
            probation=probation,
            outcome=ProbationDecision.Outcome.CONVERT,
            meeting_on=timezone.localdate(),
            votes_for=10,
        )
    )
    t["decision"] = {"A": decision}
    t["exemption"] = _by_org(RecordExemption.objects.all(), "member__branch", orgs, ("A",))
    t["activist"] = _by_org(Activist.objects.all(), "branch", orgs, ("A",))
    # A: flowing out of the secretary's branch into the Xuzhou branch (both sides act); B: out of the
    # sibling branch, not yet registered anywhere.
    mobile_a = MobileMembership.objects.filter(outflow_branch=orgs["A"], inflow_branch=orgs["X"])
    mobile_a = mobile_a.filter(status__in=MobileMembership.OPEN).exclude(registered_on=None).first()
    today = timezone.localdate()
    t["mobile"] = {
        "A": mobile_a,
        "B": member_services.mobile_outflow_register(
            actor=users["secretary2"],
            member=Member.objects.filter(branch=orgs["B"]).exclude(mobile_memberships__isnull=False).first(),
            destination="上海市浦东新区",
            left_on=today - timedelta(days=30),
            certificate_issued_on=today - timedelta(days=30),
            certificate_valid_until=today + timedelta(days=700),
        ),
    }
    t["mobile_notice"] = {"A": MobileNotice.objects.filter(membership__outflow_branch=orgs["A"]).first()}
    t["census"] = {
        "jiangning": member_services.census_take(organization=orgs["committee:A"], actor=None),
        "xuzhou": member_services.census_take(organization=orgs["committee:X"], actor=None),
    }
    t["partnership"] = {"A": Partnership.objects.filter(outflow_org=orgs["committee:A"]).first()}

    t["activity"] = _by_org(Activity.objects.exclude(status=Activity.Status.CANCELLED), "branch", orgs, ("A", "B", "X"))
    t["attachment"] = {
        "A": activity_services.attachment_add(
            actor=users["secretary"],
            activity=t["activity"]["A"],
            upload=SimpleUploadedFile("记录.pdf", b"%PDF-1.4 matrix", content_type="application/pdf"),
        )
    }
    t["case"] = _by_org(ExcellentCase.objects.all(), "organization", orgs, ("jiangning",))
    t["question"] = _by_org(Question.objects.all(), "branch", orgs, ("A",))
    t["report"] = _by_org(MonthlyReport.objects.all(), "branch", orgs, ("A", "B", "X"))
    t["rule"] = {
        "jiangning": DayRule.objects.filter(organization=orgs["jiangning"]).first(),
        "xuzhou": DayRule.objects.filter(organization__name="沛县").first(),
    }
    calendar = HolidayCalendar.objects.order_by("year").first() or activity_services.calendar_year_save(
        actor=users["province_admin"], year=2027, holidays=[(date(2027, 1, 1), "元旦")]
    )
    t["holiday_calendar"] = {"province": calendar}
    t.update(_records_targets(world, t))
    return t


def _records_targets(world: World, t: dict) -> dict:
    """Member records: the seed keeps them in the secretary's branch only (cards, dues, the demo member's
    entries, the committee's points rules and a published table); the sibling and Xuzhou branches get
    theirs here, through the records services, each made by its own secretary."""
    from members.models import Member
    from members.selectors import record_keeping_members
    from orgs.errors import DomainError
    from records import services as records_services
    from records.dues import monthly_dues
    from records.models import ActivityCard, DuesPayment, PointTable, RecordEntry

    orgs, users = world.orgs, world.users
    today = timezone.localdate()
    demo_member = t["member"]["member"]
    secretary_of = {"A": users["secretary"], "B": users["secretary2"], "X": users["xuzhou_secretary"]}
    # A record-keeping member without an account in each branch (in A: not the demo member, one who pays
    # dues), whose monthly dues the 2008 rules can compute.
    kept: dict[str, Member] = {}
    for place in ("A", "B", "X"):
        candidates = record_keeping_members(orgs[place]).exclude(user__isnull=False)
        if place == "A":
            candidates = candidates.filter(pk__in=DuesPayment.objects.values("member"))
        for candidate in candidates:
            try:
                monthly_dues(candidate.dues_category, candidate.monthly_income)
            except DomainError:
                continue
            kept[place] = candidate
            break
    assert set(kept) == {"A", "B", "X"}, kept

    def merit(place: str, title: str) -> RecordEntry:
        member = demo_member if place == "member" else kept[place]
        return records_services.merit_entry_create(
            actor=secretary_of[PLACES[place].org],
            member=member,
            merit=RecordEntry.Merit.REWARD,
            occurred_on=today,
            title=title,
        )

    r: dict[str, dict] = {}
    # Pending: the demo member's newest waiting entry (seeded); new rewards elsewhere.
    r["entry"] = {
        "member": RecordEntry.objects.filter(member=demo_member, status=RecordEntry.Status.PENDING).latest("pk"),
        **{place: merit(place, "矩阵待确认") for place in ("A", "B", "X")},
    }
    # Disputed: the demo member disputes their own; the other members have no account, so their entries
    # are moved through the state machine (arrangement: only the member could dispute them).
    disputed = {"member": merit("member", "矩阵有异议")}
    records_services.entry_dispute(actor=users["member"], entry=disputed["member"], reason="日期有误")
    for place in ("A", "B", "X"):
        disputed[place] = merit(place, "矩阵有异议")
        disputed[place].transition_to(RecordEntry.Status.DISPUTED, reason="日期有误")
    r["disputed_entry"] = disputed
    # Confirmed: the demo member confirms their own; the others likewise moved (arrangement).
    confirmed = {"member": merit("member", "矩阵已确认")}
    records_services.entry_confirm(actor=users["member"], entry=confirmed["member"])
    for place in ("A", "B", "X"):
        confirmed[place] = merit(place, "矩阵已确认")
        confirmed[place].confirmed_at = timezone.now()
        confirmed[place].transition_to(RecordEntry.Status.CONFIRMED, save_fields=["confirmed_at"])
    r["confirmed_entry"] = confirmed

    # Cards and dues: seeded in A; issued and paid by the sibling and Xuzhou secretaries here.
    for place in ("B", "X"):
        branch = orgs[place]
        records_services.card_issue(
            actor=secretary_of[place],
            member=kept[place],
            number=f"矩阵{branch.pk}",
            numbered_by=branch.parent.parent,
            stamped_by=branch.parent,
            stamped_on=today - timedelta(days=40),
            issued_on=today - timedelta(days=35),
        )
        records_services.dues_pay(actor=secretary_of[place], member=kept[place], first_month=today, paid_on=today)
    people = {"member": demo_member, **kept}
    r["card"] = {place: ActivityCard.objects.get(member=m) for place, m in people.items()}
    r["payment"] = {place: DuesPayment.objects.filter(member=m).latest("pk") for place, m in people.items()}

    # Points: the committee of A has rules and a published table (seeded); B's table is computed but
    # not published; X has no rules, its table is computed all the same.
    r["points_table"] = {
        "A": PointTable.objects.get(branch=orgs["A"], published_at__isnull=False, year=today.year),
        **{
            place: records_services.point_table_compute(actor=secretary_of[place], branch=orgs[place], year=today.year)
            for place in ("B", "X")
        },
    }
    # Where points rules are set: the committees above A (with the seeded rules) and above X.
    r["points_org"] = {"jiangning": orgs["committee:A"], "xuzhou": orgs["committee:X"]}
    r["branch"] = {place: orgs[place] for place in ("A", "B", "X")}
    return r


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo province with a few additions, seeded once; everything is rolled back afterwards."""
    from orgs.models import User

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="matrix-media-")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            users = {u.username: u for u in User.objects.filter(username__in=[*ROLES, "admin"])}
            w = World(users=users, orgs=_orgs())
            w.targets = _build_targets(w)
            for role in [*ROLES[1:], "admin"]:
                login = Client()
                login.force_login(users[role])
                w.sessions[role] = login.cookies[settings.SESSION_COOKIE_NAME].value
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the URL conf ---------------------------------------------------------------------------------


def url_names() -> dict[str, str]:
    """Every named URL of config.urls: name (with namespaces) → its route, admin included."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.setdefault(name, prefix + str(entry.pattern))

    walk(get_resolver(), "", None)
    return found


# --- the rows, one dict per app ---------------------------------------------------------------------

# A list that every logged-in user may open: it shows what their jurisdiction holds.
LIST = {"scoped": True}

ORGS = {
    "orgs:home": R(get=anyone),
    # A logged-in user is sent on from the log-in page.
    "orgs:login": R(get=anyone, post=anyone, ok={200, 302}),
    "orgs:logout": R(post=anyone),
    "orgs:tree": R(get=users),
    # A node: what the role administers or leads, and where a member or instructor holds their role;
    # nobody sees the nodes beside or above that.
    "orgs:tree-node": R("org", get=within(STAFF) | role_home),
    "api-token": R(post=anyone),
    "api-health": R(get=anyone),
    "api-me": R(get=users),
    "org-list": R(get=users, **LIST),
    "org-detail": R("org", get=within(STAFF) | role_home),
    "javascript-catalog": R(get=anyone),
    "schema": R(get=anyone),
    "api-docs": R(get=anyone),
}

NOTIFICATIONS = {
    "notifications:inbox": R(get=users),
    "notifications:mark-read": R(post=users),
    "notification-list": R(get=users),
    "notification-mark-read": R(post=users),
    "notification-detail": R("notification", get=owner),
}

# Pools: the public roster for anyone; a pool's pages for its own department (manages) and the admins
# above it (supervision); contact data and edits for the owning pool's admins and the instructor.
pool_admin = within(ADMINS)
# A recommendation to the provincial call: the pool's admin, the call's reviewers (the demo call names
# the Nanjing admin) and the admins of the recommending organization and above it.
rec_reader = roles("province_admin", "nanjing_admin") | within(ADMINS)
POOL = {
    "pool:roster": R(get=anyone),
    "pool:instructor": R("instructor", get=anyone),
    "pool:rosters": R(get=anyone),
    "pool:roster-document": R("roster", get=anyone),
    "pool:me": R(get=roles("instructor")),
    "pool:topic-edit": R("topic", post=owner | manages),
    "pool:topic-delete": R("topic", post=owner | manages),
    "pool:manage": R(get=roles(ADMINS), post=roles(ADMINS)),
    "pool:import": R(get=roles(ADMINS), post=roles(ADMINS)),
    "pool:pool": R("pool", get=pool_admin, post=manages),
    "pool:pool-instructors": R("pool", get=pool_admin),
    "pool:pool-export": R("pool", get=pool_admin),
    "pool:roster-publish": R("pool", get=manages, post=manages),
    "pool:call-create": R("pool", get=manages, post=manages),
    "pool:manage-instructor": R("instructor", get=pool_admin, post=manages),
    # The admins' edit page; the instructor keeps their own profile on pool:me.
    "pool:instructor-edit": R("instructor", get=manages, post=manages),
    # Only the demo instructor has an appointment letter (聘书) number in the demo province.
    "pool:letter": R("instructor", places=["instructor"], get=owner | manages),
    "pool:suggestions": R(get=roles(ADMINS, "instructor"), **LIST),
    "pool:calls": R(get=roles(STAFF), **LIST),
    "pool:call": R("call", get=pool_admin | inside(STAFF)),
    "pool:call-recommend": R("call", get=inside(STAFF), post=inside(STAFF)),
    # The recommender ranks public instructors: anyone logged in may ask.
    "pool:recommend": R(get=users),
    "pool:recommendation": R("recommendation", get=rec_reader),
    "instructor-list": R(get=anyone),
    "instructor-import-file": R(post=roles(ADMINS), multipart=True),
    "instructor-recommend": R(get=users, query={"q": "乡村振兴"}),
    "instructor-detail": R("instructor", get=anyone, patch=owner | manages),
    "instructor-appoint": R("instructor", post=manages),
    "instructor-history": R("instructor", get=owner | pool_admin),
    "instructor-link-user": R("instructor", post=manages),
    "instructor-topics": R("instructor", get=anyone, post=owner | manages),
    "instructor-transition": R("instructor", post=manages),
    # PUT is routed but not offered (http_method_names): 405 for everyone.
    "instructor-topic-detail": R("topic", put=absent, patch=owner | manages, delete=owner | manages),
    "pool-list": R(get=anyone, post=roles(ADMINS)),
    "pool-detail": R("pool", get=anyone, patch=manages),
    "pool-publish-roster": R("pool", post=manages),
    "roster-list": R(get=anyone),
    "roster-detail": R("roster", get=anyone),
    "call-list": R(get=roles(STAFF), post=roles(ADMINS), **LIST),
    "call-detail": R("call", get=pool_admin | inside(STAFF)),
    "call-close": R("call", post=manages),
    "call-reviewers": R("call", put=manages),
    "call-start-review": R("call", post=manages),
    "recommendation-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "recommendation-detail": R("recommendation", get=rec_reader),
    "recommendation-decide": R("recommendation", post=roles("province_admin")),
    "recommendation-reviews": R(
        "recommendation", get=roles("province_admin", "nanjing_admin"), post=roles("province_admin", "nanjing_admin")
    ),
    "suggestion-list": R(get=roles(ADMINS, "instructor"), post=roles("instructor"), **LIST),
    "suggestion-detail": R("suggestion", get=owner | pool_admin),
    "suggestion-answer": R("suggestion", post=manages),
}

# Bookings: the branch side (its secretary; admins above it read) and the instructor side.
branch_reader = within(STAFF)
branch_side = within(SECRETARIES)
b_instructor = instructor_side("booking")
BOOKING = {
    "booking:index": R(get=roles(STAFF, "instructor"), ok={302}),
    "booking:find": R(get=roles(SECRETARIES)),
    "booking:new": R(get=roles(SECRETARIES), post=roles(SECRETARIES)),
    "booking:list": R(get=users, **LIST),
    "booking:export": R(get=users, **LIST),
    "booking:calendar": R(get=roles(STAFF, "instructor")),
    "booking:detail": R("booking", get=branch_reader | b_instructor),
    "booking:accept": R("booking", post=b_instructor),
    "booking:decline": R("booking", post=b_instructor),
    "booking:cancel": R("booking", post=branch_side | b_instructor),
    "booking:deliver": R("booking", post=branch_side | b_instructor),
    "booking:propose": R("booking", post=b_instructor),
    "booking:proposal-accept": R("booking", post=branch_side),
    "booking:proposal-refuse": R("booking", post=branch_side),
    # The open request of the demo province is not addressed to the demo instructor's pool or category;
    # instructors without an account answer through their pool's admins, naming them in the body.
    "booking:answer": R("open_booking", post=nobody),
    "booking:answer-withdraw": R("open_booking", post=nobody),
    "booking:pick": R("open_booking", post=branch_side),
    # A calendar entry for the two sides who will be there, not for the admins above the branch.
    "booking:ics": R("confirmed", get=branch_side | instructor_side("confirmed")),
    "booking:inbox": R(get=roles("instructor")),
    "booking:schedule": R(get=roles("instructor")),
    "booking:feed": R("feed", kwargs=lambda f: {"token": f.token}, get=anyone),
    "booking-list": R(get=users, post=roles(SECRETARIES), **LIST),
    "booking-open": R(get=roles("instructor"), **LIST),
    "booking-detail": R("booking", get=branch_reader | b_instructor),
    "booking-accept": R("booking", post=b_instructor),
    "booking-accept-proposal": R("booking", post=branch_side),
    "booking-answers": R("open_booking", get=branch_side, post=nobody),
    "booking-cancel": R("booking", post=branch_side | b_instructor),
    "booking-decline": R("booking", post=b_instructor),
    "booking-deliver": R("booking", post=branch_side | b_instructor),
    "booking-history": R("booking", get=branch_reader | b_instructor),
    "booking-pick": R("open_booking", post=branch_side),
    "booking-propose": R("booking", post=b_instructor),
    "booking-refuse-proposal": R("booking", post=branch_side),
    "booking-answer-withdraw": R("open_answer", post=instructor_side("open_answer")),
    "schedule-detail": R("schedule", get=owner | manages, patch=owner | manages),
    "schedule-blocked": R("schedule", post=owner | manages),
    # The private calendar feed's secret address: the instructor's own, not the pool's.
    "schedule-feed": R("schedule", post=owner, delete=owner),
    "schedule-unblock": R(
        "blocked", kwargs=lambda b: {"pk": b.instructor_id, "blocked_id": b.pk}, delete=owner | manages
    ),
    "fee-standard-list": R(get=users),
}


def booking_id(obj) -> dict:
    return {"booking_id": obj.pk}


# Ratings: a lecture's branch side, admins above the branch, its instructor and the pool's admins. Only
# the members who attended (the demo member attended the secretary's lecture) and the branch rate.
l_instructor = instructor_side("lecture")
lecture_reader = within(STAFF) | l_instructor
attendee = Rule(lambda r, p: r == "member" and p == "A", "attended")
EVALUATION = {
    "evaluation:index": R(get=users, ok={200, 302}),
    "evaluation:rate": R("lecture", kwargs=booking_id, get=attendee, post=attendee),
    # A one-time link (for the secretary's lecture): anyone but the lecture's own instructor.
    "evaluation:link": R(
        "rating_link", kwargs=lambda link: {"token": link.token}, get=not_(l_instructor), post=not_(l_instructor)
    ),
    "evaluation:lectures": R(get=roles(SECRETARIES)),
    "evaluation:lecture": R("lecture", kwargs=booking_id, get=lecture_reader),
    "evaluation:links": R("lecture", kwargs=booking_id, get=branch_side, post=branch_side),
    "evaluation:links-print": R("lecture", kwargs=booking_id, get=branch_side),
    "evaluation:me": R(get=roles("instructor")),
    # With the raters' names: the pool's admins and those above it (the instructor uses evaluation:me).
    "evaluation:instructor": R("instructor", get=pool_admin),
    "evaluation:summaries": R(get=roles(ADMINS)),
    "evaluation:runs": R(get=roles(ADMINS)),
    "evaluation:run": R("run", get=pool_admin),
    "evaluation:run-progress": R("run", get=pool_admin),
    "evaluation:run-recompute": R("run", post=manages),
    "evaluation:run-accept-all": R("run", post=manages),
    "evaluation:run-confirm": R("run", post=manages),
    "evaluation:run-export": R("run", get=pool_admin),
    "evaluation:run-decide": R("proposal", kwargs=lambda p: {"pk": p.run_id, "proposal_id": p.pk}, post=manages),
    "evaluation:incidents": R(get=roles(ADMINS)),
    # Anyone may post a rating with a one-time link's token: an empty body is bad input, not a 401.
    "booking-ratings": R("lecture", kwargs=booking_id, get=lecture_reader, post=anyone),
    "booking-rating-links": R("lecture", kwargs=booking_id, get=branch_side, post=branch_side),
    "ratings-open": R(get=users, **LIST),
    "rating-summary-list": R(get=users, **LIST),
    "evaluation-run-list": R(get=roles(ADMINS), post=roles(ADMINS), **LIST),
    "evaluation-run-detail": R("run", get=pool_admin),
    "evaluation-run-accept-all": R("run", post=manages),
    "evaluation-run-confirm": R("run", post=manages),
    "evaluation-run-proposals": R("run", get=pool_admin),
    "evaluation-run-recompute": R("run", post=manages),
    "evaluation-proposal-detail": R("proposal", get=pool_admin),
    "evaluation-proposal-decide": R("proposal", post=manages),
    "discipline-incident-list": R(get=roles(ADMINS), post=roles(ADMINS), **LIST),
}

# Members: a branch's secretary and the admins above it; a member sees their own record. A mobile
# member: the outflow branch's side and, once registered there, the inflow branch's side.
member_side = within(STAFF)
outflow = within(STAFF)
inflow = roles(STAFF) & Rule(lambda r, p: p == "A" and relation(r, "X") == "own", "inflow side (X)")
either_side = outflow | inflow
MEMBERS = {
    "members:list": R(get=roles(STAFF), others={302}),
    "members:me": R(get=users),
    "members:create": R(get=roles(STAFF), post=roles(STAFF)),
    "members:import": R(get=roles(STAFF), post=roles(STAFF)),
    "members:export": R(get=roles(STAFF)),
    # The blank roster template: nothing in it.
    "members:template": R(get=users),
    "members:detail": R("member", get=member_side | owner),
    "members:edit": R("member", get=member_side, post=member_side),
    "members:reveal": R("member", post=member_side | owner),
    "members:leave": R("member", get=member_side, post=member_side),
    "members:exemption-request": R("member", get=member_side, post=member_side),
    "members:mobile-outflow": R("member", kwargs=lambda m: {"member_pk": m.pk}, get=member_side, post=member_side),
    "members:probations": R(get=roles(STAFF), **LIST),
    "members:probation-decide": R("probation", get=member_side, post=member_side),
    "members:decision-answer": R("decision", get=admin_within, post=admin_within),
    "members:exemptions": R(get=roles(STAFF), **LIST),
    "members:exemption-answer": R("exemption", get=admin_within, post=admin_within),
    "members:activists": R(get=roles(STAFF), **LIST),
    "members:activist-create": R(get=roles(STAFF), post=roles(STAFF)),
    "members:activist-detail": R("activist", get=member_side, post=member_side),
    "members:mobile": R(get=roles(STAFF), **LIST),
    "members:mobile-register": R(get=roles(STAFF), post=roles(STAFF)),
    "members:contacts-overdue": R(get=roles(STAFF), **LIST),
    "members:mobile-detail": R("mobile", get=either_side),
    "members:mobile-contact": R("mobile", get=outflow, post=outflow),
    "members:mobile-notice": R("mobile", get=either_side, post=either_side),
    "members:mobile-participation": R("mobile", get=inflow, post=inflow),
    "members:mobile-feedback": R("mobile", get=inflow, post=inflow),
    "members:mobile-return": R("mobile", get=outflow, post=outflow),
    "members:mobile-relocate": R("mobile", get=either_side, post=either_side),
    # The demo notice went from the inflow (Xuzhou) branch to the outflow branch, which marks it read.
    "members:notice-read": R("mobile_notice", post=outflow),
    "members:census": R(get=roles(ADMINS), post=roles(ADMINS), **LIST),
    "members:census-detail": R("census", get=admin_within),
    "members:census-export": R("census", get=admin_within),
    "members:partnerships": R(get=roles(STAFF), **LIST),
    "members:partnership-create": R(get=roles(STAFF), post=roles(STAFF)),
    # Between the 东山街道 and 沛城街道 committees: every branch below them and every admin above them
    # reads it; the admins of either committee record reviews (members/selectors.partnership_list).
    "members:partnership-detail": R("partnership", get=roles(STAFF), post=roles(ADMINS)),
    # A member lists their own record only.
    "member-list": R(get=roles(STAFF, "member"), post=roles(STAFF), **LIST),
    "member-export": R(get=roles(STAFF), **LIST),
    "member-import-roster": R(post=roles(STAFF), multipart=True),
    "member-template": R(get=users),
    "member-detail": R("member", get=member_side | owner, patch=member_side),
    "member-leave": R("member", post=member_side),
    "member-reveal": R("member", post=member_side | owner),
    "probation-list": R(get=roles(STAFF), **LIST),
    "probation-detail": R("probation", get=member_side),
    "probation-decide": R("probation", post=member_side),
    "probation-decision-list": R(get=roles(STAFF), **LIST),
    "probation-decision-approve": R("decision", post=admin_within),
    "probation-decision-reject": R("decision", post=admin_within),
    "record-exemption-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "record-exemption-detail": R("exemption", get=member_side),
    "record-exemption-approve": R("exemption", post=admin_within),
    "record-exemption-reject": R("exemption", post=admin_within),
    # Ending an exemption (the member takes part again): the branch or the approver.
    "record-exemption-revoke": R("exemption", post=member_side),
    "activist-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "activist-detail": R("activist", get=member_side),
    "activist-admit": R("activist", post=member_side),
    "activist-drop": R("activist", post=member_side),
    "activist-promote": R("activist", post=member_side),
    "activist-reveal": R("activist", post=member_side),
    "mobile-member-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "mobile-member-lookup": R(post=roles(STAFF)),
    "mobile-member-overdue": R(get=roles(STAFF), **LIST),
    "mobile-member-register": R(post=roles(STAFF)),
    "mobile-member-detail": R("mobile", get=either_side),
    "mobile-member-contacts": R("mobile", get=either_side, post=outflow),
    "mobile-member-feedback": R("mobile", get=either_side, post=inflow),
    "mobile-member-notices": R("mobile", get=either_side, post=either_side),
    "mobile-member-participations": R("mobile", get=either_side, post=inflow),
    "mobile-member-relocate": R("mobile", post=either_side),
    "mobile-member-return-": R("mobile", post=outflow),
    "mobile-notice-read": R("mobile_notice", post=outflow),
    "mobile-census-list": R(get=roles(ADMINS), post=roles(ADMINS), **LIST),
    "mobile-census-detail": R("census", get=admin_within),
    "mobile-census-entries": R("census", get=admin_within),
    "partnership-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "partnership-detail": R("partnership", get=roles(STAFF)),
    "partnership-end": R("partnership", post=roles(ADMINS)),
    "partnership-reviews": R("partnership", get=roles(STAFF), post=roles(ADMINS)),
}

# Activity days: the branch records them (its secretary, or an admin above acting for it); admins above
# supervise, mark excellent cases and set the day rules; members ask questions.
activity_side = within(STAFF)
ACTIVITY = {
    "activity:home": R(get=users, ok={200, 302}),
    "activity:move": R(get=roles(STAFF), post=roles(STAFF)),
    "activity:new": R(get=roles(STAFF), post=roles(STAFF)),
    "activity:detail": R("activity", get=activity_side),
    "activity:edit": R("activity", get=activity_side, post=activity_side),
    "activity:attendance": R("activity", get=activity_side, post=activity_side),
    "activity:cancel": R("activity", post=activity_side),
    "activity:attachment-upload": R("activity", post=activity_side),
    "activity:case-mark": R("activity", post=admin_within),
    "activity:attachment": R("attachment", get=activity_side),
    "activity:attachment-delete": R("attachment", post=activity_side),
    "activity:me": R(get=users),
    "activity:questions": R(get=users, **LIST),
    "activity:question-new": R(get=roles(STAFF, "member"), post=roles(STAFF, "member")),
    "activity:question": R("question", get=activity_side | roles("member"), post=activity_side | roles("member")),
    "activity:reports": R(get=roles(STAFF), **LIST),
    "activity:report-submit": R(get=roles(STAFF), post=roles(STAFF)),
    "activity:supervision": R(get=roles(ADMINS)),
    "activity:supervision-export": R(get=roles(ADMINS)),
    "activity:cases": R(get=users),
    "activity:case": R("case", get=users),
    "activity:case-action": R("case", kwargs=lambda c: {"pk": c.pk, "step": "withdraw"}, post=admin_within),
    "activity:rules": R(get=roles(STAFF), **LIST),
    "activity:rule-new": R(get=roles(ADMINS), post=roles(ADMINS)),
    "activity:calendar": R(get=users),
    "activity-supervision": R(get=roles(ADMINS)),
    "activity-supervision-export": R(get=roles(ADMINS)),
    "holiday-calendar-list": R(get=users, post=roles("province_admin")),
    "holiday-calendar-detail": R("holiday_calendar", kwargs=lambda c: {"year": c.year}, get=users),
    "activity-rule-list": R(get=roles(STAFF), post=roles(ADMINS), **LIST),
    "activity-rule-detail": R("rule", get=activity_side | inside(SECRETARIES)),
    "activity-rule-dates": R("rule", get=activity_side | inside(SECRETARIES)),
    "activity-day-list": R(get=roles(STAFF), **LIST),
    "activity-day-move": R(post=roles(STAFF)),
    "activity-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "activity-detail": R("activity", get=activity_side, patch=activity_side),
    "activity-attachments": R("activity", post=activity_side, multipart=True),
    "activity-cancel": R("activity", post=activity_side),
    "activity-expected": R("activity", get=activity_side),
    "activity-record": R("activity", post=activity_side),
    "activity-remove-attachment": R(
        "attachment", kwargs=lambda a: {"pk": a.activity_id, "attachment_id": a.pk}, delete=activity_side
    ),
    "my-attendance-list": R(get=users),
    "activity-question-list": R(get=users, post=roles(STAFF, "member"), **LIST),
    "activity-question-detail": R("question", get=activity_side | roles("member")),
    "activity-question-act": R("question", post=activity_side),
    "activity-question-answer": R("question", post=activity_side),
    "activity-question-close": R("question", post=activity_side | roles("member")),
    "activity-question-reopen": R("question", post=activity_side | roles("member")),
    "activity-report-list": R(get=roles(STAFF), post=roles(STAFF), **LIST),
    "activity-report-detail": R("report", get=activity_side),
    "excellent-case-list": R(get=users, post=roles(ADMINS)),
    "excellent-case-detail": R("case", get=users),
    "excellent-case-publish": R("case", post=admin_within),
    "excellent-case-withdraw": R("case", post=admin_within),
}

# Member records (记实, SPEC section 8; records/permissions.py): the member sees their own record and
# alone confirms or disputes its entries; the branch keeps the records (its secretary, or an admin above
# acting for it, as with activity days and members: can_keep_records) — cards, dues, rewards, roles,
# resolving disputes, withdrawing and correcting entries, the points tables; the admins above supervise
# their subtree and take the branch's archive; points rules belong to the admins of the organization
# that sets them (a committee). Writes carry a valid body, so that a refusal is about the person.
keeps = within(STAFF)
# Who keeps some branch's records: naming a member of another branch in a create's body, they are told
# there is no such member (400 on ``member``); anyone else is refused before the body is read (403).
keepers = roles(STAFF)
reader = within(STAFF) | owner
# A points table once published: the branch's members see it (only A's is published; the demo member's
# branch is A).
published_to_members = Rule(lambda r, p: r == "member" and p == "A", "the branch's members (published)")


def _today() -> str:
    return timezone.localdate().isoformat()


def _member_body(**fields) -> Callable[[object], dict]:
    """A body naming the target member; a callable value is called when the request is made."""
    return lambda m: {"member": m.pk, **{k: v() if callable(v) else v for k, v in fields.items()}}


RECORDS = {
    "records:home": R(get=roles(STAFF)),
    "records:me": R(get=users),
    "records:disputes": R(get=roles(STAFF)),
    "records:arrears": R(get=roles(STAFF)),
    "records:member": R("member", get=reader),
    "records:member-print": R("member", get=reader),
    "records:card-issue": R("member", get=keeps, post=keeps),
    "records:merit-create": R(
        "member",
        get=keeps,
        post=keeps,
        body=lambda m: {"merit": "reward", "occurred_on": _today(), "title": "矩阵表彰"},
    ),
    "records:role-create": R("member", get=keeps, post=keeps),
    "records:dues-pay": R(
        "member",
        get=keeps,
        post=keeps,
        body=lambda m: {"first_month": _today(), "months": 1, "paid_on": _today()},
    ),
    "records:entry": R("entry", get=reader),
    "records:entry-confirm": R("entry", post=owner),
    "records:entry-dispute": R("entry", get=owner, post=owner, body=lambda e: {"reason": "矩阵异议"}),
    "records:entry-resolve": R("disputed_entry", get=keeps, post=keeps, body=lambda e: {"reply": "已核实"}),
    "records:entry-withdraw": R("entry", get=keeps, post=keeps, body=lambda e: {"reason": "录入有误"}),
    "records:entry-correct": R(
        "confirmed_entry", get=keeps, post=keeps, body=lambda e: {"reason": "矩阵更正", "voids": "on"}
    ),
    # The archive (记实档案) the branch keeps for inspection (保存备查): the branch and the admins above.
    "records:branch-export": R("branch", get=keeps),
    # Every user sees the points tables they may (a member: their branch's published ones); computing one
    # is the branch's.
    "records:points": R(get=users, post=roles(STAFF)),
    "records:points-table": R("points_table", get=keeps | published_to_members, post=keeps),
    "records:point-rules": R("points_org", get=within(ADMINS), post=within(ADMINS)),
    "record-entry-list": R(
        "member",
        kwargs=no_kwargs,
        get=users,
        post=keeps,
        elsewhere=keepers,
        body=_member_body(kind="merit", merit="reward", occurred_on=_today, title="矩阵表彰"),
        **LIST,
    ),
    "record-entry-detail": R("entry", get=reader, patch=keeps, body=lambda e: {"title": "矩阵改题"}),
    "record-entry-confirm": R("entry", post=owner),
    "record-entry-dispute": R("entry", post=owner, body=lambda e: {"reason": "矩阵异议"}),
    "record-entry-resolve": R("disputed_entry", post=keeps, body=lambda e: {"reply": "已核实"}),
    "record-entry-withdraw": R("entry", post=keeps, body=lambda e: {"reason": "录入有误"}),
    "record-entry-correct": R("confirmed_entry", post=keeps, body=lambda e: {"reason": "矩阵更正", "voids": True}),
    "record-entry-export": R("branch", kwargs=no_kwargs, query=lambda b: {"branch": b.pk}, get=keeps),
    "record-card-list": R(
        "member",
        kwargs=no_kwargs,
        get=users,
        post=keeps,
        elsewhere=keepers,
        body=lambda m: {
            "member": m.pk,
            "number": f"矩阵卡{m.pk}",
            "numbered_by": m.branch.parent.parent_id,
            "stamped_by": m.branch.parent_id,
            "stamped_on": _today(),
            "issued_on": _today(),
        },
        **LIST,
    ),
    "record-card-detail": R("card", get=reader),
    "record-dues-payment-list": R(
        "member",
        kwargs=no_kwargs,
        get=users,
        post=keeps,
        elsewhere=keepers,
        body=_member_body(first_month=_today, paid_on=_today),
        **LIST,
    ),
    "record-dues-payment-detail": R("payment", get=reader),
    "record-dues-payment-quarterly": R(
        "member",
        kwargs=no_kwargs,
        post=keeps,
        elsewhere=keepers,
        body=_member_body(reason="外出务工", approved_on=_today),
    ),
    "record-dues-payment-arrears-reason": R(
        "member",
        kwargs=no_kwargs,
        post=keeps,
        elsewhere=keepers,
        body=_member_body(until_month=_today, reason="住院治疗"),
    ),
    "record-dues-payment-arrears": R("branch", kwargs=no_kwargs, query=lambda b: {"branch": b.pk}, get=keeps),
    "record-point-rule-list": R(get=roles(STAFF), **LIST),
    "record-point-rule-set-rules": R(
        "points_org",
        kwargs=no_kwargs,
        post=within(ADMINS),
        body=lambda o: {"organization": o.pk, "rules": [{"item": "reward", "points": "3"}]},
    ),
    "record-point-table-list": R(
        "branch",
        kwargs=no_kwargs,
        get=users,
        post=keeps,
        body=lambda b: {"branch": b.pk, "year": timezone.localdate().year},
        **LIST,
    ),
    "record-point-table-detail": R("points_table", get=keeps | published_to_members),
    "record-point-table-publish": R("points_table", post=keeps),
}

APP_ROWS = [ORGS, NOTIFICATIONS, POOL, BOOKING, EVALUATION, MEMBERS, ACTIVITY, RECORDS]
ROWS: dict[str, Row] = {}
for _rows in APP_ROWS:
    assert not set(_rows) & set(ROWS), set(_rows) & set(ROWS)
    ROWS.update(_rows)


# Django admin: every registered model's pages (and the site's own) turn away every demo role — none
# is staff — to the admin log-in; the seeded superuser ``admin`` opens the index and each change list.
ADMIN_ROLES = ["anonymous", "province_admin", "member", "admin"]


def admin_names() -> dict[str, str]:
    return {name: route for name, route in url_names().items() if name.startswith("admin:")}


def _admin_kwargs(route: str) -> dict:
    """Arguments for an admin route: a real app label, and 1 for every id."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return {n: ("orgs" if n == "app_label" else "1") for n in names}


# --- the gate ---------------------------------------------------------------------------------------


def test_every_url_has_a_row():
    names = {name for name in url_names() if not name.startswith("admin:")}
    missing = sorted(names - set(ROWS))
    gone = sorted(set(ROWS) - names)
    assert not missing, f"URLs without a row in tests/test_access_matrix.py: {missing}"
    assert not gone, f"rows for URLs that no longer exist: {gone}"


def test_every_row_names_its_targets():
    problems = []
    for name, row in ROWS.items():
        if not row.rules():
            problems.append(f"{name}: no method")
        if row.target is not None and not row.places:
            problems.append(f"{name}: a target without places")
        if row.target is None and row.places:
            problems.append(f"{name}: places without a target")
        if row.elsewhere is not None and (row.body is None or row.kwargs is not no_kwargs or row.target is None):
            problems.append(f"{name}: elsewhere is for a create whose body names the target")
    assert not problems, problems


# --- the matrix -------------------------------------------------------------------------------------

TAKEN_OR_REFUSED = {200, 201, 202, 204, 302, 400, 409}
# Someone without rights: refused as a person, before the input or the object's state is looked at.
# (A page refuses with a message and a redirect: it must not carry a success message.)
NOT_YOURS = {403, 404}


def _not_allowed(row: Row, method: str, role: str, place: str | None) -> set[int]:
    """What a logged-in role that may not make this unsafe request gets."""
    if row.rules()[method] is absent:
        return {405}
    if row.elsewhere is not None and row.elsewhere(role, place):
        return NOT_YOURS | {400}
    return NOT_YOURS


def _cases():
    for name, row in ROWS.items():
        for method in row.rules():
            for role in ROLES:
                for place in row.places or (None,):
                    where = f"{place}({relation(role, place)})" if place else "-"
                    yield pytest.param(name, method, role, place, id=f"{name}-{method}-{role}-{where}")


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _is_empty_list(response) -> bool:
    if response["Content-Type"] != "application/json":
        return True  # an export file: its rows are checked by the app's own tests
    data = response.json()
    if isinstance(data, dict) and "results" in data:
        return data.get("count", len(data["results"])) == 0
    return data == [] or data == {}


@pytest.mark.parametrize(("name", "method", "role", "place"), list(_cases()))
def test_access(world, db, name, method, role, place):
    row = ROWS[name]
    kwargs, obj = {}, None
    if row.target is not None:
        obj = world.targets[row.target].get(place)
        assert obj is not None, f"no {row.target} at {place} in the demo province"
        kwargs = (row.kwargs or pk)(obj)
    url = reverse(name, kwargs=kwargs)
    is_api = url.startswith("/api/")
    allowed = row.rules()[method](role, place)
    client = _client(world, role)
    if method == "GET":
        response = client.get(url, row.query(obj) if callable(row.query) else row.query)
    elif row.body is not None:
        data = row.body(obj)
        if is_api:
            response = getattr(client, method.lower())(url, data, content_type="application/json")
        else:
            response = client.post(url, data)
    else:
        extra = {"content_type": "application/json"} if is_api and not row.multipart else {}
        response = getattr(client, method.lower())(url, **extra)
    status = response.status_code
    said = f"{method} {url} as {role} at {place or '-'}: {status}"

    if allowed:
        expected = set(row.ok) if method == "GET" else TAKEN_OR_REFUSED
        assert status in expected, f"{said}, allowed ({row.rules()[method].text}): expected {sorted(expected)}"
        return
    if role == "anonymous":
        if is_api:
            assert status == 401, f"{said}, expected 401 without credentials"
        else:
            assert status == 302, f"{said}, expected a redirect to the log-in page"
            assert response["Location"].startswith(reverse("orgs:login")), response["Location"]
        return
    if method == "GET":
        if row.scoped and status == 200:
            if is_api:
                assert _is_empty_list(response), f"{said}, a list for a role without that jurisdiction: not empty"
            return
        assert status in row.others, f"{said}, not allowed: expected {sorted(row.others)}"
        return
    if not is_api and status == 302:
        levels = {m.level for m in get_messages(response.wsgi_request)}
        assert message_constants.SUCCESS not in levels, f"{said}, not allowed, yet the page says it was done"
        return
    expected = _not_allowed(row, method, role, place)
    assert status in expected, f"{said}, not allowed: expected {sorted(expected)}"


@pytest.mark.parametrize("name", sorted(admin_names()))
def test_admin_access(world, db, name):
    """Every admin URL sends each demo role (none is staff) to the admin log-in; the superuser gets in."""
    url = reverse(name, kwargs=_admin_kwargs(admin_names()[name]))
    for role in ADMIN_ROLES:
        response = _client(world, role).get(url)
        said = f"GET {url} as {role}: {response.status_code}"
        if role == "admin":
            if name == "admin:index" or name.endswith("_changelist"):
                assert response.status_code == 200, said
            else:
                # Objects of id 1, add forms, app indexes: an answer, never an error.
                assert response.status_code in {200, 302, 403, 404, 405}, said
        elif name == "admin:login":
            assert response.status_code in {200, 302}, said
        elif name == "admin:logout":
            assert response.status_code in {302, 405}, said  # log-out takes POST only
        else:
            assert response.status_code == 302, said
            assert response["Location"].startswith(reverse("admin:login")), response["Location"]


@pytest.mark.parametrize("place", ["B", "X"])
@pytest.mark.parametrize("role", ROLES)
def test_a_closed_rating_window_shows_the_lecture_to_its_raters_only(world, db, role, place):
    """Regression: the rating page checked the window before the person, so once a lecture's rating had
    closed, every logged-in user saw it (200) — another branch's lecture included. Now someone who may
    not rate it is refused (403) first; an attendee hears that rating has closed (a conflict). None of
    the demo roles attended these lectures of the sibling and the Xuzhou branch."""
    lecture = world.targets["closed_lecture"][place]
    client = _client(world, role)
    page = client.get(reverse("evaluation:rate", kwargs={"booking_id": lecture.pk}))
    api = client.post(
        reverse("booking-ratings", kwargs={"booking_id": lecture.pk}), {}, content_type="application/json"
    )
    if role == "anonymous":
        assert page.status_code == 302
        assert api.status_code == 400  # no link token: bad input
    else:
        assert page.status_code == 403, f"{role} at {place}: {page.status_code}"
        assert api.status_code in {400, 403}, f"{role} at {place}: {api.status_code}"


def test_admin_site_registry_matches_the_urls():
    """Every registered model has its admin URLs under the names the admin matrix walks."""
    names = admin_names()
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        assert "admin:{}_{}_changelist".format(*info) in names


# Who sees and who keeps an org-life entry that the Xuzhou branch (inflow) wrote for a mobile member of the
# secretary's branch (outflow): both branches and the admins above either see it (records/selectors: "the
# records of the branch, including the entries the branch wrote for mobile members attending there"); the
# branch that wrote it keeps it (records/permissions.can_keep_records on the entry's branch).
MOBILE_ENTRY_READERS = {"province_admin", "nanjing_admin", "jiangning_admin", "secretary", "xuzhou_secretary"}
MOBILE_ENTRY_KEEPERS = {"province_admin", "xuzhou_secretary"}


@pytest.mark.parametrize("role", ROLES)
def test_a_mobile_members_entry_is_open_to_both_branches(world, db, role):
    """Regression: the entry page checked the entry's branch only, so the outflow branch was refused (403)
    the entry of its own mobile member that its member page lists and the API returns (200)."""
    from activity.models import Attendance
    from records import services as records_services
    from records.models import RecordEntry

    a, x = world.orgs["A"], world.orgs["X"]
    guest = Attendance.objects.filter(is_mobile_guest=True, member__branch=a, activity__branch=x).first()
    assert guest is not None, "the demo province has a mobile member of A attending in Xuzhou"
    records_services.attendance_entries_sync(activity_id=guest.activity_id)
    entry = RecordEntry.objects.get(activity_id=guest.activity_id, member=guest.member, corrects=None)
    assert entry.branch == x
    client = _client(world, role)
    page = client.get(reverse("records:entry", kwargs={"pk": entry.pk}))
    api = client.get(reverse("record-entry-detail", kwargs={"pk": entry.pk}))
    withdraw = client.post(
        reverse("record-entry-withdraw", kwargs={"pk": entry.pk}),
        {"reason": "录入有误"},
        content_type="application/json",
    )
    said = f"{role}: page {page.status_code}, API {api.status_code}, withdraw {withdraw.status_code}"
    if role == "anonymous":
        assert (page.status_code, api.status_code, withdraw.status_code) == (302, 401, 401), said
        return
    if role in MOBILE_ENTRY_READERS:
        assert (page.status_code, api.status_code) == (200, 200), said
    else:
        assert page.status_code in {403, 404} and api.status_code in {403, 404}, said
    if role in MOBILE_ENTRY_KEEPERS:
        assert withdraw.status_code == 200, said
    else:
        assert withdraw.status_code in {403, 404}, said


def test_a_member_who_left_no_longer_sees_the_branch_points_table(world, db):
    """Regression: the points-table page showed a branch's published table (every member's points) to
    anyone whose member record named the branch, also after they had left it; the API already hid it."""
    from members import services as member_services
    from members.models import Member

    table = world.targets["points_table"]["A"]
    client = _client(world, "member")
    page = reverse("records:points-table", kwargs={"pk": table.pk})
    api = reverse("record-point-table-detail", kwargs={"pk": table.pk})
    assert (client.get(page).status_code, client.get(api).status_code) == (200, 200)
    member = Member.objects.get(user=world.users["member"])
    member_services.member_leave(
        actor=world.users["secretary"],
        member=member,
        left_on=timezone.localdate(),
        reason=Member.LeftReason.TRANSFERRED,
    )
    assert (client.get(page).status_code, client.get(api).status_code) == (403, 404)
