from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from activity.models import Activity
from members.models import DuesCategory
from orgs.errors import ConflictError, DomainError, InvalidTransition
from records import selectors, services
from records.dues import monthly_dues
from records.models import (
    ActivityCard,
    Appraisal,
    ConfirmedEntryImmutable,
    DuesMonth,
    PointScore,
    RecordEntry,
)
from tests.activity import factories as af
from tests.members import factories as mf
from tests.records import factories as f

pytestmark = pytest.mark.django_db


# --- dues amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),
        ("3000.01", "30.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
        ("12345.67", "246.91"),
    ],
)
def test_monthly_dues_employed_brackets_at_each_edge(income, expected):
    assert monthly_dues(DuesCategory.EMPLOYED, Decimal(income)) == Decimal(expected)


@pytest.mark.parametrize(
    ("income", "expected"),
    [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")],
)
def test_monthly_dues_retiree_brackets_at_the_5000_edge(income, expected):
    assert monthly_dues(DuesCategory.RETIREE, Decimal(income)) == Decimal(expected)


@pytest.mark.parametrize("category", [DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.LOW_INCOME])
def test_monthly_dues_students_unemployed_and_low_income_pay_twenty_fen(category):
    assert monthly_dues(category, Decimal("6000")) == Decimal("0.20")
    assert monthly_dues(category, None) == Decimal("0.20")


def test_monthly_dues_farmers_pay_the_provincial_figure(settings):
    assert monthly_dues(DuesCategory.FARMER, None) == Decimal("0.50")
    settings.RECORDS_FARMER_MONTHLY_DUES = "1.00"
    assert monthly_dues(DuesCategory.FARMER, Decimal("9000")) == Decimal("1.00")
    settings.RECORDS_FARMER_MONTHLY_DUES = "1.50"
    with pytest.raises(DomainError):
        monthly_dues(DuesCategory.FARMER, None)


def test_monthly_dues_employed_without_income_is_refused():
    with pytest.raises(DomainError) as err:
        monthly_dues(DuesCategory.EMPLOYED, None)
    assert err.value.field == "monthly_income"


# --- activity cards ---------------------------------------------------------------------------------------


def test_card_issue_records_who_numbered_stamped_and_issued(world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch)

    card = services.card_issue(
        actor=secretary,
        member=m,
        number="JN-2026-000123",
        numbered_by=world.county,
        stamped_by=world.committee,
        stamped_on=date(2026, 3, 1),
        issued_on=date(2026, 3, 5),
    )

    assert (card.numbered_by, card.stamped_by, card.issued_by, card.registered_by) == (
        world.county,
        world.committee,
        world.branch,
        secretary,
    )
    with pytest.raises(ConflictError):
        services.card_issue(
            actor=secretary,
            member=f.member(world.branch),
            number="JN-2026-000123",
            numbered_by=world.county,
            stamped_by=world.committee,
            stamped_on=date(2026, 3, 1),
            issued_on=date(2026, 3, 5),
        )


def test_card_issue_refuses_a_number_from_a_committee_and_a_seal_from_elsewhere(world):
    m = f.member(world.branch)
    common = {"actor": world.secretary(world.branch), "member": m, "number": "X1", "stamped_on": date(2026, 3, 1)}
    with pytest.raises(DomainError) as err:
        services.card_issue(
            numbered_by=world.committee, stamped_by=world.committee, issued_on=date(2026, 3, 2), **common
        )
    assert err.value.field == "numbered_by"
    with pytest.raises(DomainError) as err:
        services.card_issue(
            numbered_by=world.county, stamped_by=world.sibling_county, issued_on=date(2026, 3, 2), **common
        )
    assert err.value.field == "stamped_by"
    assert not ActivityCard.objects.exists()


def test_card_issue_refuses_an_exempt_member(world):
    m = f.member(world.branch)
    type(m).objects.filter(pk=m.pk).update(records_exempt=True)
    with pytest.raises(DomainError):
        services.card_issue(
            actor=mf.superuser(),
            member=m,
            number="X2",
            numbered_by=world.county,
            stamped_by=world.committee,
            stamped_on=date(2026, 3, 1),
            issued_on=date(2026, 3, 2),
        )


# --- confirmation and immutability ----------------------------------------------------------------------


def test_member_confirms_an_entry_and_it_can_no_longer_be_saved_or_deleted(world):
    m = f.member(world.branch)
    entry = f.merit(m)

    services.entry_confirm(actor=m.user, entry=entry)
    entry.refresh_from_db()

    assert entry.status == RecordEntry.Status.CONFIRMED
    entry.title = "改过的标题"
    with pytest.raises(ConfirmedEntryImmutable):
        entry.save()
    with pytest.raises(ConfirmedEntryImmutable):
        entry.delete()
    with pytest.raises(ConfirmedEntryImmutable):
        RecordEntry.objects.filter(pk=entry.pk).update(title="批量改")
    with pytest.raises(ConfirmedEntryImmutable):
        RecordEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ConfirmedEntryImmutable):
        services.entry_amend(actor=mf.superuser(), entry=entry, changes={"title": "改"})
    with pytest.raises(ConfirmedEntryImmutable):
        services.entry_withdraw(actor=mf.superuser(), entry=entry, reason="错了")
    assert RecordEntry.objects.get(pk=entry.pk).title == "优秀共产党员"


def test_only_the_member_confirms_or_disputes(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    with pytest.raises(PermissionDenied):
        services.entry_confirm(actor=world.secretary(world.branch), entry=entry)
    with pytest.raises(PermissionDenied):
        services.entry_dispute(actor=f.member(world.branch).user, entry=entry, reason="不对")


def test_a_confirmed_entry_is_corrected_by_a_new_entry_that_references_it(world):
    m = f.member(world.branch)
    entry = f.confirmed(f.merit(m))
    secretary = world.secretary(world.branch)

    correction = services.entry_correct(
        actor=secretary, entry=entry, reason="表彰名称写错", changes={"title": "优秀党务工作者"}
    )

    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("优秀共产党员", RecordEntry.Status.CONFIRMED)
    assert (correction.corrects, correction.title, correction.status) == (
        entry,
        "优秀党务工作者",
        RecordEntry.Status.PENDING,
    )
    history = correction.history.get()
    assert (history.actor, history.reason, history.changes) == (
        secretary,
        "表彰名称写错",
        {"title": ["优秀共产党员", "优秀党务工作者"]},
    )
    with pytest.raises(ConflictError):
        services.entry_correct(actor=secretary, entry=entry, reason="again", changes={"title": "再改"})
    f.confirmed(correction)
    with pytest.raises(ConflictError):
        services.entry_correct(actor=secretary, entry=entry, reason="again", changes={"title": "再改"})
    assert services.latest_version(entry) == correction


def test_an_unconfirmed_entry_cannot_be_corrected_but_is_amended_with_history(world):
    m = f.member(world.branch)
    entry = f.merit(m)
    secretary = world.secretary(world.branch)
    with pytest.raises(ConflictError):
        services.entry_correct(actor=secretary, entry=entry, reason="x", changes={"title": "y"})

    services.entry_amend(actor=secretary, entry=entry, changes={"title": "新标题"}, reason="笔误")

    rows = list(entry.history.order_by("id").values_list("from_status", "to_status", "changes"))
    assert rows == [("", "pending", {}), ("pending", "pending", {"title": ["优秀共产党员", "新标题"]})]


def test_dispute_and_resolution_return_the_entry_to_the_member(world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    entry = f.merit(m, actor=secretary)

    services.entry_dispute(actor=m.user, entry=entry, reason="日期不对，应为6月")
    assert list(selectors.disputes_to_resolve(actor=secretary)) == [entry]
    with pytest.raises(InvalidTransition):
        services.entry_confirm(actor=m.user, entry=entry)

    services.entry_resolve(actor=secretary, entry=entry, reply="已更正日期", changes={"occurred_on": date(2026, 6, 1)})
    entry.refresh_from_db()
    assert (entry.status, entry.occurred_on, entry.dispute_reason) == (
        RecordEntry.Status.PENDING,
        date(2026, 6, 1),
        "",
    )
    f.confirmed(entry)
    assert list(entry.history.order_by("id").values_list("to_status", flat=True)) == [
        "pending",
        "disputed",
        "pending",
        "confirmed",
    ]
    assert list(selectors.disputes_to_resolve(actor=secretary)) == []


def test_secretary_of_another_branch_cannot_write_entries(world):
    m = f.member(world.branch)
    with pytest.raises(PermissionDenied):
        f.merit(m, actor=world.secretary(world.sibling_branch))


def test_role_entry_records_the_yearly_appraisal_once(world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    entry = services.role_entry_create(
        actor=secretary, member=m, year=2025, grade="excellent", appraised_on=date(2026, 1, 20), details="带头志愿服务"
    )
    assert entry.appraisal.grade == "excellent"
    with pytest.raises(ConflictError):
        services.role_entry_create(
            actor=secretary, member=m, year=2025, grade="qualified", appraised_on=date(2026, 1, 21), details="x"
        )
    f.confirmed(entry)
    correction = services.entry_correct(
        actor=secretary, entry=entry, reason="评议结果更正", changes={"appraisal_grade": "qualified"}
    )
    assert Appraisal.objects.get().grade == "excellent"
    f.confirmed(correction)
    assert Appraisal.objects.get().grade == "qualified"


# --- attendance -----------------------------------------------------------------------------------------


def _recorded_activity(world, members, django_capture_on_commit_callbacks, **kwargs):
    activity = af.plan(world.branch, date(2026, 11, 10))
    with django_capture_on_commit_callbacks(execute=True):
        af.record(activity, members, **kwargs)
    return activity


def test_recorded_attendance_creates_one_entry_per_member_and_resaving_adds_none(
    world, django_capture_on_commit_callbacks
):
    members = [f.member(world.branch) for _ in range(3)]
    exempt = f.member(world.branch)
    type(exempt).objects.filter(pk=exempt.pk).update(records_exempt=True)
    exempt.refresh_from_db()
    activity = _recorded_activity(world, [*members, exempt], django_capture_on_commit_callbacks)

    entries = RecordEntry.objects.filter(activity=activity)
    assert sorted(entries.values_list("member_id", flat=True)) == sorted(m.pk for m in members)
    assert set(entries.values_list("attendance_status", "kind", "status")) == {("present", "org_life", "pending")}

    with django_capture_on_commit_callbacks(execute=True):
        af.record(activity, [*members, exempt])
    with django_capture_on_commit_callbacks(execute=True):
        af.record(activity, [*members, exempt])
    assert RecordEntry.objects.filter(activity=activity).count() == 3


def test_changed_attendance_amends_open_entries_and_corrects_confirmed_ones(world, django_capture_on_commit_callbacks):
    a, b, c = (f.member(world.branch) for _ in range(3))
    activity = _recorded_activity(world, [a, b, c], django_capture_on_commit_callbacks)
    f.confirmed(RecordEntry.objects.get(activity=activity, member=a))
    type(c).objects.filter(pk=c.pk).update(left_on=date(2026, 11, 1))  # no longer expected there

    with django_capture_on_commit_callbacks(execute=True):
        af.record(activity, [a, b], status="excused")

    original_a = RecordEntry.objects.get(activity=activity, member=a, corrects__isnull=True)
    assert original_a.attendance_status == "present"
    correction_a = RecordEntry.objects.get(corrects=original_a)
    assert (correction_a.attendance_status, correction_a.status) == ("excused", "pending")
    entry_b = RecordEntry.objects.get(activity=activity, member=b)
    assert entry_b.attendance_status == "excused"
    assert entry_b.history.last().changes["attendance_status"] == ["present", "excused"]
    assert RecordEntry.objects.get(activity=activity, member=c).status == "withdrawn"

    with django_capture_on_commit_callbacks(execute=True):
        af.record(activity, [a, b], status="excused")
    assert RecordEntry.objects.filter(activity=activity).count() == 4


def test_activity_signal_is_sent_only_after_commit(world, django_capture_on_commit_callbacks):
    m = f.member(world.branch)
    activity = af.plan(world.branch, date(2026, 11, 10))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        af.record(activity, [m])
    assert not RecordEntry.objects.exists()
    for callback in callbacks:
        callback()
    assert RecordEntry.objects.filter(activity=activity, member=m).count() == 1
    assert Activity.objects.get(pk=activity.pk).status == "recorded"


# --- dues payments ---------------------------------------------------------------------------------------


def test_dues_pay_computes_the_amount_and_writes_one_row_per_month(world):
    m = f.member(world.branch, monthly_income=Decimal("6000"))
    payment = services.dues_pay(
        actor=world.secretary(world.branch), member=m, first_month=date(2026, 9, 1), months=3, paid_on=date(2026, 11, 5)
    )
    assert (payment.monthly_amount, payment.amount) == (Decimal("90.00"), Decimal("270.00"))
    assert list(DuesMonth.objects.filter(member=m).values_list("month", flat=True)) == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    entry = RecordEntry.objects.get(dues_payment=payment)
    assert (entry.kind, entry.dues_amount, entry.dues_months) == ("dues", Decimal("270.00"), 3)


def test_dues_pay_refuses_a_month_twice_and_less_than_due(world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    services.dues_pay(actor=secretary, member=m, first_month=date(2026, 11, 1), paid_on=date(2026, 11, 5))
    with pytest.raises(ConflictError):
        services.dues_pay(actor=secretary, member=m, first_month=date(2026, 11, 1), paid_on=date(2026, 11, 6))
    with pytest.raises(DomainError) as err:
        services.dues_pay(
            actor=secretary, member=m, first_month=date(2026, 10, 1), paid_on=date(2026, 11, 6), amount=Decimal("1")
        )
    assert err.value.field == "amount"


def test_back_payment_reaches_six_months_at_most(world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    with pytest.raises(DomainError) as err:
        services.dues_pay(actor=secretary, member=m, first_month=date(2026, 4, 1), months=7, paid_on=date(2026, 11, 5))
    assert err.value.field == "first_month"
    payment = services.dues_pay(
        actor=secretary, member=m, first_month=date(2026, 5, 1), months=6, paid_on=date(2026, 11, 5)
    )
    assert payment.months == 6


def test_paying_ahead_needs_the_quarterly_approval(world):
    m = f.member(world.branch)
    secretary = world.secretary(world.branch)
    with pytest.raises(DomainError):
        services.dues_pay(actor=secretary, member=m, first_month=date(2026, 10, 1), months=3, paid_on=date(2026, 10, 5))
    services.quarterly_dues_approve(actor=secretary, member=m, reason="常年在外务工", approved_on=date(2026, 9, 1))
    payment = services.dues_pay(
        actor=secretary, member=m, first_month=date(2026, 10, 1), months=3, paid_on=date(2026, 10, 5)
    )
    assert payment.amount == Decimal("120.00")
    with pytest.raises(DomainError):
        services.dues_pay(actor=secretary, member=m, first_month=date(2027, 1, 1), months=1, paid_on=date(2026, 10, 5))


def test_six_months_unpaid_is_flagged_to_the_branch_unless_a_reason_is_noted(world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    services.card_issue(
        actor=secretary,
        member=m,
        number="C-1",
        numbered_by=world.county,
        stamped_by=world.committee,
        stamped_on=date(2026, 1, 2),
        issued_on=date(2026, 1, 5),
    )
    services.dues_pay(actor=secretary, member=m, first_month=date(2026, 4, 1), paid_on=date(2026, 4, 5))

    standing = selectors.dues_standings([m], on=date(2026, 10, 15))[0]
    assert (standing.unpaid_streak, len(standing.unpaid_months), standing.flagged) == (5, 8, False)
    standing = selectors.dues_standings([m], on=date(2026, 11, 15))[0]
    assert (standing.unpaid_streak, standing.flagged, standing.owed) == (6, True, Decimal("360.00"))

    services.arrears_reason_record(actor=secretary, member=m, until_month=date(2026, 12, 1), reason="重病住院")
    assert selectors.dues_standings([m], on=date(2026, 11, 15))[0].flagged is False
    m.refresh_from_db()
    assert m.is_active  # the flag never acts on the member


# --- points -----------------------------------------------------------------------------------------------


def test_points_table_counts_standing_entries_and_recomputes_when_a_rule_changes(world):
    admin = world.admin(world.committee)
    secretary = world.secretary(world.branch)
    a, b = f.member(world.branch), f.member(world.branch)
    services.point_rules_set(
        actor=admin,
        organization=world.committee,
        rules=[{"item": "reward", "points": "5"}, {"item": "dues_month", "points": "1", "yearly_cap": "2"}],
    )
    f.confirmed(f.merit(a, actor=secretary))
    f.confirmed(f.merit(b, actor=secretary))
    f.merit(b, actor=secretary)  # unconfirmed: does not count
    f.confirmed(
        RecordEntry.objects.get(
            dues_payment=services.dues_pay(
                actor=secretary, member=a, first_month=date(2026, 9, 1), months=3, paid_on=date(2026, 11, 5)
            )
        )
    )
    table = services.point_table_compute(actor=secretary, branch=world.branch, year=2026)
    scores = {s.member_id: s.points for s in PointScore.objects.filter(table=table)}
    assert scores == {a.pk: Decimal("7.00"), b.pk: Decimal("5.00")}

    services.point_rules_set(actor=admin, organization=world.committee, rules=[{"item": "reward", "points": "10"}])

    scores = {s.member_id: (s.points, s.rank) for s in PointScore.objects.filter(table=table)}
    assert scores == {a.pk: (Decimal("12.00"), 1), b.pk: (Decimal("10.00"), 2)}
    assert table.scores.get(member=a).breakdown == {"reward": "10.00", "dues_month": "2.00"}


def test_a_confirmed_correction_replaces_the_corrected_entry_in_the_points(world):
    admin = world.admin(world.committee)
    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    services.point_rules_set(
        actor=admin,
        organization=world.committee,
        rules=[{"item": "reward", "points": "5"}, {"item": "punishment", "points": "-8"}],
    )
    entry = f.confirmed(f.merit(m, actor=secretary))
    table = services.point_table_compute(actor=secretary, branch=world.branch, year=2026)
    assert table.scores.get().points == Decimal("5.00")

    f.confirmed(
        services.entry_correct(actor=secretary, entry=entry, reason="应为处分", changes={"merit": "punishment"})
    )

    assert table.scores.get().points == Decimal("-8.00")


def test_point_rules_are_set_only_by_admins_above_the_branch(world):
    with pytest.raises(PermissionDenied):
        services.point_rules_set(
            actor=world.secretary(world.branch), organization=world.committee, rules=[{"item": "reward", "points": 1}]
        )
    with pytest.raises(DomainError):
        services.point_rules_set(
            actor=world.admin(world.committee), organization=world.committee, rules=[{"item": "nope", "points": 1}]
        )


def test_dues_paid_at_a_mobile_members_inflow_branch_count_as_paid(world):
    from members import services as member_services

    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    membership = mf.mobile(m, inflow_branch=world.other_city_branch, register=True)
    member_services.mobile_participation_record(
        actor=None,
        membership=membership,
        kind="dues",
        occurred_on=date(2026, 10, 5),
        description="在流入地交纳10月党费",
        dues_amount=Decimal("40.00"),
        dues_month=date(2026, 10, 1),
    )
    services.dues_pay(actor=secretary, member=m, first_month=date(2026, 9, 1), paid_on=date(2026, 11, 2))

    standing = selectors.dues_standings([m], on=date(2026, 11, 20))[0]
    assert date(2026, 10, 1) not in standing.unpaid_months
    assert date(2026, 9, 1) not in standing.unpaid_months
    with pytest.raises(ConflictError):
        services.dues_pay(actor=secretary, member=m, first_month=date(2026, 10, 1), paid_on=date(2026, 11, 2))


def test_attendance_entries_are_announced_in_one_notification(world, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    members = [f.member(world.branch) for _ in range(3)]
    before = Notification.objects.count()
    _recorded_activity(world, members, django_capture_on_commit_callbacks)
    notes = Notification.objects.filter(kind="records_entry_to_confirm")
    assert Notification.objects.count() - before >= 1
    assert notes.count() == 1
    assert notes.get().deliveries.values("recipient").distinct().count() == 3


def test_arrears_flags_are_sent_to_the_branch_once_a_month(world):
    from notifications.models import Notification

    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    services.card_issue(
        actor=secretary,
        member=m,
        number="C-7",
        numbered_by=world.county,
        stamped_by=world.committee,
        stamped_on=date(2026, 1, 2),
        issued_on=date(2026, 1, 5),
    )

    assert services.arrears_flags_send(today=date(2026, 11, 15)) == 1
    assert services.arrears_flags_send(today=date(2026, 11, 16)) == 0
    note = Notification.objects.get(kind="records_dues_arrears")
    assert m.name in note.title
    m.refresh_from_db()
    assert m.is_active and m.left_on is None
