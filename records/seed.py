"""Demo records for ``seed_demo`` (step order 60, after the activity days, whose attendance has already
become org-life entries when this step runs).

In ``secretary``'s branch: a 党员活动证 for each member whose records are kept (numbered by the county,
stamped by the committee, issued eight months ago); monthly dues paid by everyone but one member, who is
flagged after six months; the committee's points rules and the published points table of the year. The
demo ``member`` has confirmed most of their entries; the newest attendance entry and the latest dues
payment wait for confirmation, so the demo shows the flow.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from members.selectors import record_keeping_members
from orgs.errors import DomainError

from . import services
from .dues import add_months, month_start, monthly_dues
from .models import RecordEntry

RULES = [
    {"item": "org_life_present", "points": Decimal("2"), "yearly_cap": Decimal("24")},
    {"item": "org_life_excused", "points": Decimal("0")},
    {"item": "org_life_absent", "points": Decimal("-2")},
    {"item": "dues_month", "points": Decimal("1"), "yearly_cap": Decimal("12")},
    {"item": "reward", "points": Decimal("5")},
    {"item": "punishment", "points": Decimal("-10")},
    {"item": "role_excellent", "points": Decimal("10")},
    {"item": "role_qualified", "points": Decimal("6")},
    {"item": "role_basic", "points": Decimal("2")},
    {"item": "role_unqualified", "points": Decimal("-10")},
]


def _pays(member, month: date) -> bool:
    """A member pays from the month of joining, once the dues can be computed."""
    if month < month_start(member.joined_on):
        return False
    try:
        monthly_dues(member.dues_category, member.monthly_income)
    except DomainError:
        return False
    return True


def demo(ctx) -> None:
    today = timezone.localdate()
    secretary = ctx.users["secretary"]
    admin = ctx.users["admin"]
    home = ctx.orgs["branch"]
    committee = home.parent
    county = ctx.orgs["jiangning"]
    demo_member = ctx.extra["member"]
    issued = add_months(month_start(today), -8).replace(day=6)

    members = list(record_keeping_members(home).select_related("branch", "user"))
    for serial, member in enumerate(members, start=1):
        services.card_issue(
            actor=secretary,
            member=member,
            number=f"苏党证{county.pk:04d}{issued.year}{serial:05d}",
            numbered_by=county,
            stamped_by=committee,
            stamped_on=issued - timedelta(days=3),
            issued_on=issued,
        )

    unpaid = next((m for m in members if m.pk != demo_member.pk and m.user_id is None), None)
    month = month_start(issued)
    last = month_start(today)
    while month <= last:
        paid_on = month.replace(day=8)
        if paid_on <= today:
            for member in members:
                if (unpaid is not None and member.pk == unpaid.pk) or not _pays(member, month):
                    continue
                services.dues_pay(actor=secretary, member=member, first_month=month, paid_on=paid_on)
        month = add_months(month, 1)

    # The demo member: one reward and last year's role with the appraisal; everything confirmed except
    # the newest attendance entry and the newest dues entry.
    services.merit_entry_create(
        actor=secretary,
        member=demo_member,
        merit=RecordEntry.Merit.REWARD,
        occurred_on=date(today.year, 7, 1) if date(today.year, 7, 1) <= today else date(today.year - 1, 7, 1),
        title="街道优秀共产党员",
        details="街道党工委“七一”表彰。",
    )
    services.role_entry_create(
        actor=secretary,
        member=demo_member,
        year=today.year - 1,
        grade="excellent",
        appraised_on=date(today.year, 1, 20),
        details="带头参加社区志愿服务，结对帮扶困难群众两户。",
    )
    entries = list(RecordEntry.objects.filter(member=demo_member, status=RecordEntry.Status.PENDING))
    keep_pending = set()
    for kind in (RecordEntry.Kind.ORG_LIFE, RecordEntry.Kind.DUES):
        newest = max((e for e in entries if e.kind == kind), key=lambda e: (e.occurred_on, e.pk), default=None)
        if newest is not None:
            keep_pending.add(newest.pk)
    for entry in sorted(entries, key=lambda e: (e.occurred_on, e.pk)):
        if entry.pk not in keep_pending:
            services.entry_confirm(actor=demo_member.user, entry=entry)

    services.point_rules_set(actor=admin, organization=committee, rules=RULES)
    table = services.point_table_compute(actor=secretary, branch=home, year=today.year)
    services.point_table_publish(actor=secretary, table=table)
    ctx.log(f"  records: {len(members)} activity cards, {RecordEntry.objects.count()} entries")
