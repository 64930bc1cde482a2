from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from members import services
from members.models import (
    Activist,
    Member,
    MobileCensus,
    MobileMembership,
    MobileNotice,
    PersonalDataAccess,
    Probation,
    ProbationDecision,
    RecordExemption,
    add_months,
    lookup_hash,
)
from members.selectors import record_keeping_members
from notifications.models import Notification
from orgs.errors import ConflictError, DomainError, InvalidTransition
from tests.members import factories as f

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# --- members ------------------------------------------------------------------------------------------


def test_member_create_stores_personal_data_encrypted_with_a_lookup_hash(world):
    secretary = world.secretary(world.branch)

    m = f.member(world.branch, actor=secretary, id_number="320102199001011232", phone="13812345678")

    stored_id = _raw("members_member", "id_number", m.pk)
    assert stored_id.startswith("enc1:") and "19900101" not in stored_id
    assert _raw("members_member", "phone", m.pk).startswith("enc1:")
    assert Member.objects.get(pk=m.pk).id_number == "320102199001011232"
    assert m.id_number_masked == "3201**********1232"
    assert m.phone_masked == "138****5678"
    assert Member.objects.get(id_number_hash=lookup_hash(" 320102199001011232 ")) == m
    assert (m.birth_date, m.gender) == (date(1990, 1, 1), "male")


def test_member_create_refuses_a_second_member_with_the_same_id_number(world):
    number = f.id_number()
    f.member(world.branch, id_number=number)

    with pytest.raises(ConflictError) as exc:
        f.member(world.sibling_branch, id_number=number.lower())

    assert exc.value.field == "id_number"


@pytest.mark.parametrize(
    ("id_number", "message"),
    [("32010219900101123", "18"), ("320102199001011234", "check digit"), ("320102199013011238", "birth")],
)
def test_member_create_names_the_bad_id_number(world, id_number, message):
    with pytest.raises(DomainError) as exc:
        f.member(world.branch, id_number=id_number)

    assert exc.value.field == "id_number"
    assert Member.objects.count() == 0


def test_member_create_refuses_gender_contradicting_the_id_number(world):
    with pytest.raises(DomainError) as exc:
        f.member(world.branch, id_number=f.id_number(male=True), gender="female")

    assert exc.value.field == "gender"


def test_secretary_cannot_register_members_of_another_branch(world):
    with pytest.raises(PermissionDenied):
        f.member(world.sibling_branch, actor=world.secretary(world.branch))


def test_probationary_member_gets_a_year_of_probation_from_the_vote(world):
    m = f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date(2024, 2, 29))

    assert (m.probation.starts_on, m.probation.ends_on) == (date(2024, 2, 29), date(2025, 2, 28))
    assert m.full_since is None


def test_member_update_rehashes_a_corrected_id_number(world):
    m = f.member(world.branch)
    new = f.id_number()

    services.member_update(actor=f.superuser(), member=m, changes={"id_number": new, "name": "新名字"})

    m.refresh_from_db()
    assert (m.id_number, m.id_number_hash, m.name) == (new, lookup_hash(new), "新名字")


def test_member_update_refuses_status_changes(world):
    m = f.member(world.branch)

    with pytest.raises(DomainError):
        services.member_update(actor=f.superuser(), member=m, changes={"status": "probationary"})


# --- reveal and audit ---------------------------------------------------------------------------------


def test_reveal_returns_the_value_and_writes_exactly_one_audit_row(world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch, id_number="320102199001011232")

    value = services.personal_data_reveal(actor=secretary, subject=m, field="id_number", reason="办理组织关系转接")

    assert value == "320102199001011232"
    rows = list(PersonalDataAccess.objects.values_list("actor", "member", "field", "reason", "organization"))
    assert rows == [(secretary.pk, m.pk, "id_number", "办理组织关系转接", world.branch.pk)]


def test_reveal_needs_a_reason_and_writes_nothing_without_one(world):
    m = f.member(world.branch)

    with pytest.raises(DomainError) as exc:
        services.personal_data_reveal(actor=world.secretary(world.branch), subject=m, field="phone", reason=" ")

    assert exc.value.field == "reason"
    assert PersonalDataAccess.objects.count() == 0


def test_reveal_outside_the_jurisdiction_is_refused_without_audit_row(world):
    m = f.member(world.branch)

    with pytest.raises(PermissionDenied):
        services.personal_data_reveal(
            actor=world.secretary(world.sibling_branch), subject=m, field="id_number", reason="查看"
        )

    assert PersonalDataAccess.objects.count() == 0


def test_member_may_reveal_own_data_and_inflow_secretary_only_the_phone(world):
    user = world.member(world.branch)
    m = f.member(world.branch, user=user)
    f.mobile(m, inflow_branch=world.other_city_branch, register=True)
    inflow_secretary = world.secretary(world.other_city_branch)

    own = services.personal_data_reveal(actor=user, subject=m, field="id_number", reason="本人核对")
    phone = services.personal_data_reveal(actor=inflow_secretary, subject=m, field="phone", reason="联系本人")
    with pytest.raises(PermissionDenied):
        services.personal_data_reveal(actor=inflow_secretary, subject=m, field="id_number", reason="查看")

    assert (own, phone) == (m.id_number, m.phone)
    assert PersonalDataAccess.objects.count() == 2


# --- probation ----------------------------------------------------------------------------------------


@pytest.fixture
def probationer(world):
    today = date.today()
    return f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=add_months(today, -12))


def _propose(probation, outcome="convert", **kwargs):
    kwargs.setdefault("meeting_on", date.today())
    kwargs.setdefault("votes_for", 12)
    return services.probation_decision_propose(
        actor=kwargs.pop("actor", f.superuser()), probation=probation, outcome=outcome, **kwargs
    )


def test_conversion_takes_effect_on_approval_from_the_end_of_probation(world, probationer):
    secretary, admin = world.secretary(world.branch), world.admin(world.committee)
    decision = _propose(probationer.probation, actor=secretary)

    services.probation_decision_approve(
        actor=admin, decision=decision, approved_on=date.today(), approval_ref="党委〔2026〕9号"
    )

    probationer.refresh_from_db()
    probation = Probation.objects.get(member=probationer)
    assert (probationer.status, probationer.full_since) == (Member.Status.FULL, probation.ends_on)
    assert probation.status == Probation.Status.CONVERTED
    assert ProbationDecision.objects.get().approving_org == world.committee
    assert [h.to_status for h in probationer.history.all()] == ["probationary", "full"]
    assert [h.to_status for h in probation.history.all()] == ["converted"]


def test_secretary_cannot_approve_the_branch_decision(world, probationer):
    secretary = world.secretary(world.branch)
    decision = _propose(probationer.probation, actor=secretary)

    with pytest.raises(PermissionDenied):
        services.probation_decision_approve(actor=secretary, decision=decision, approved_on=date.today())


def test_conversion_is_not_discussed_long_before_the_year_ends(world):
    early = f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date.today() - timedelta(days=100))

    with pytest.raises(DomainError) as exc:
        _propose(early.probation)

    assert exc.value.field == "meeting_on"


def test_extension_moves_the_end_once_and_only_by_six_to_twelve_months(world, probationer):
    admin = world.admin(world.county)
    with pytest.raises(DomainError):
        _propose(probationer.probation, "extend", extension_months=3)
    end = probationer.probation.ends_on

    services.probation_decision_approve(
        actor=admin, decision=_propose(probationer.probation, "extend", extension_months=6), approved_on=date.today()
    )

    probation = Probation.objects.get(member=probationer)
    assert (probation.status, probation.ends_on) == (Probation.Status.EXTENDED, add_months(end, 6))
    with pytest.raises(DomainError):  # the extended year is discussed when it ends, and only once
        _propose(probation, "extend", extension_months=6)


def test_cancellation_ends_the_membership(world, probationer):
    services.probation_decision_approve(
        actor=world.admin(world.county), decision=_propose(probationer.probation, "cancel"), approved_on=date.today()
    )

    probationer.refresh_from_db()
    assert (probationer.left_on, probationer.left_reason) == (date.today(), "probation_cancelled")
    assert Probation.objects.get(member=probationer).status == Probation.Status.CANCELLED


def test_a_decision_needs_a_majority_and_only_one_waits_at_a_time(world, probationer):
    with pytest.raises(DomainError):
        _propose(probationer.probation, votes_for=3, votes_against=3)
    _propose(probationer.probation)

    with pytest.raises(ConflictError):
        _propose(probationer.probation)


def test_rejected_decision_leaves_the_probation_open(world, probationer):
    decision = _propose(probationer.probation)

    services.probation_decision_reject(actor=world.admin(world.county), decision=decision, notes="材料不全")

    assert Probation.objects.get(member=probationer).status == Probation.Status.ONGOING
    assert ProbationDecision.objects.get().state == "rejected"


def test_converting_a_registered_mobile_probationer_needs_the_inflow_feedback(world, probationer):
    membership = f.mobile(probationer, inflow_branch=world.other_city_branch, register=True)
    with pytest.raises(ConflictError):
        _propose(probationer.probation)

    services.probation_feedback_submit(
        actor=world.secretary(world.other_city_branch),
        membership=membership,
        conduct="积极参加组织生活",
        opinion="convert",
        written_on=date.today(),
    )
    decision = _propose(probationer.probation)

    assert decision.outcome == "convert"


def test_probation_warning_goes_once_to_the_branch_member_and_inflow_branch(world):
    user = world.member(world.branch)
    secretary = world.secretary(world.branch)
    inflow_secretary = world.secretary(world.other_city_branch)
    today = date(2026, 6, 1)
    m = f.member(world.branch, user=user, status=Member.Status.PROBATIONARY, joined_on=date(2025, 6, 20))
    f.mobile(m, left_on=date(2025, 8, 1), inflow_branch=world.other_city_branch, register=True)

    first = services.probation_warnings_send(today=today)
    again = services.probation_warnings_send(today=today + timedelta(days=1))

    assert (first, again) == (1, 0)
    by_kind = {
        n.kind: sorted(n.deliveries.filter(channel="inapp").values_list("recipient", flat=True))
        for n in Notification.objects.filter(kind__startswith="members_probation")
    }
    assert by_kind == {
        "members_probation_ending": sorted([secretary.pk, user.pk]),
        "members_probation_feedback_due": [inflow_secretary.pk],
    }


def test_probation_warning_skips_probations_ending_later(world):
    f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date(2025, 8, 1))

    assert services.probation_warnings_send(today=date(2026, 6, 1)) == 0


# --- exemption ------------------------------------------------------------------------------------------


def test_approved_exemption_takes_the_member_out_of_record_keeping_until_revoked(world):
    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    other = f.member(world.branch)
    exemption = services.exemption_request(actor=secretary, member=m, reason="elderly_ill")
    assert sorted(record_keeping_members(world.branch).values_list("pk", flat=True)) == sorted([m.pk, other.pk])

    services.exemption_approve(actor=world.admin(world.county), exemption=exemption)
    kept_while_exempt = list(record_keeping_members(world.branch).values_list("pk", flat=True))
    services.exemption_revoke(actor=secretary, exemption=RecordExemption.objects.get(), notes="身体康复")

    assert kept_while_exempt == [other.pk]
    m.refresh_from_db()
    assert m.records_exempt is False
    assert RecordExemption.objects.get().state == "revoked"


def test_exemption_is_approved_above_the_branch_only(world):
    secretary = world.secretary(world.branch)
    exemption = services.exemption_request(actor=secretary, member=f.member(world.branch), reason="disabled")

    with pytest.raises(PermissionDenied):
        services.exemption_approve(actor=secretary, exemption=exemption)
    with pytest.raises(ConflictError):
        services.exemption_request(actor=secretary, member=exemption.member, reason="disabled")


# --- activists ------------------------------------------------------------------------------------------


def test_activist_becomes_candidate_then_probationary_member(world):
    secretary = world.secretary(world.branch)
    activist = services.activist_create(
        actor=secretary,
        branch=world.branch,
        name="郑嘉怡",
        id_number=f.id_number(male=False),
        applied_on=date(2024, 1, 5),
        activist_since=date(2024, 4, 1),
    )
    with pytest.raises(ConflictError):
        services.activist_admit(actor=secretary, activist=activist, joined_on=date(2025, 7, 1))

    services.activist_promote(actor=secretary, activist=activist, candidate_since=date(2025, 3, 1))
    member = services.activist_admit(actor=secretary, activist=activist, joined_on=date(2025, 7, 1))

    activist.refresh_from_db()
    assert (activist.status, activist.member) == (Activist.Stage.ADMITTED, member)
    assert (member.status, member.id_number, member.probation.ends_on) == (
        Member.Status.PROBATIONARY,
        activist.id_number,
        date(2026, 7, 1),
    )
    assert [h.to_status for h in activist.history.all()] == ["activist", "candidate", "admitted"]


def test_dropped_activist_cannot_be_promoted(world):
    secretary = world.secretary(world.branch)
    activist = services.activist_create(
        actor=secretary,
        branch=world.branch,
        name="冯浩然",
        id_number=f.id_number(),
        applied_on=date(2024, 1, 5),
        activist_since=date(2024, 4, 1),
    )
    services.activist_drop(actor=secretary, activist=activist, reason="本人申请")

    with pytest.raises(InvalidTransition):
        services.activist_promote(actor=secretary, activist=activist, candidate_since=date(2025, 1, 1))


# --- mobile members -------------------------------------------------------------------------------------


def test_outflow_numbers_the_certificate_from_the_county_sequence(world):
    world.county.code = "320115"
    world.county.save()
    first = f.mobile(f.member(world.branch), certificate_issued_on=date(2026, 3, 1))
    second = f.mobile(f.member(world.sibling_branch), certificate_issued_on=date(2026, 3, 2))

    assert (first.certificate_number, second.certificate_number) == ("320115-2026-00001", "320115-2026-00002")
    assert first.certificate_issuer == world.county
    assert [(h.from_status, h.to_status) for h in first.history.all()] == [("", "outflow")]


def test_outflow_twice_and_duplicate_certificate_are_conflicts(world):
    m = f.member(world.branch)
    f.mobile(m, certificate_number="A-1")

    with pytest.raises(ConflictError):
        f.mobile(m)
    with pytest.raises(ConflictError) as exc:
        f.mobile(f.member(world.branch), certificate_number="a-1")
    assert exc.value.field == "certificate_number"


def test_inflow_branch_registers_from_certificate_number_and_name(world):
    inflow_secretary = world.secretary(world.other_city_branch)
    outflow_secretary = world.secretary(world.branch)
    m = f.member(world.branch, name="周海燕")
    f.mobile(m, certificate_number="CERT-9", inflow_branch=world.other_city_branch)

    with pytest.raises(DomainError):
        services.mobile_lookup(actor=inflow_secretary, certificate_number="CERT-9", name="周海")
    found = services.mobile_lookup(actor=inflow_secretary, certificate_number="cert-9 ", name="周海燕")
    registered = services.mobile_inflow_register(
        actor=inflow_secretary,
        membership=found,
        branch=world.other_city_branch,
        registered_on=date(2025, 1, 20),
        certificate_verified=True,
    )

    assert (registered.status, registered.inflow_branch, registered.registered_by) == (
        MobileMembership.Status.REGISTERED,
        world.other_city_branch,
        inflow_secretary,
    )
    assert [h.to_status for h in registered.history.all()] == ["outflow", "registered"]
    notification = Notification.objects.get(kind="members_mobile_registered")
    assert list(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [
        outflow_secretary.pk
    ]


def test_registration_needs_the_certificate_checked_and_a_branch_of_ones_own(world):
    membership = f.mobile(f.member(world.branch))
    inflow_secretary = world.secretary(world.other_city_branch)

    with pytest.raises(DomainError) as exc:
        services.mobile_inflow_register(
            actor=inflow_secretary,
            membership=membership,
            branch=world.other_city_branch,
            registered_on=date(2025, 2, 1),
            certificate_verified=False,
        )
    assert exc.value.field == "certificate_verified"
    with pytest.raises(PermissionDenied):
        services.mobile_inflow_register(
            actor=inflow_secretary,
            membership=membership,
            branch=world.sibling_county_branch,
            registered_on=date(2025, 2, 1),
            certificate_verified=True,
        )


def test_registration_places_the_member_in_a_group_of_that_branch_only(world):
    membership = f.mobile(f.member(world.other_city_branch), inflow_branch=world.branch)

    with pytest.raises(DomainError) as exc:
        services.mobile_inflow_register(
            actor=world.secretary(world.sibling_branch),
            membership=membership,
            branch=world.sibling_branch,
            group=world.group,
            registered_on=date(2025, 2, 1),
            certificate_verified=True,
        )
    registered = services.mobile_inflow_register(
        actor=world.secretary(world.branch),
        membership=membership,
        branch=world.branch,
        group=world.group,
        registered_on=date(2025, 2, 1),
        certificate_verified=True,
    )

    assert exc.value.field == "group"
    assert registered.inflow_group == world.group


def test_notices_go_to_the_other_side_and_relocation_also_upward(world):
    outflow_secretary = world.secretary(world.branch)
    inflow_secretary = world.secretary(world.other_city_branch)
    county_admin = world.admin(world.county)
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)

    services.mobile_notice_send(
        actor=outflow_secretary, membership=membership, kind="election", subject="换届选举", body="请通知本人参加"
    )
    services.mobile_notice_send(
        actor=inflow_secretary, membership=membership, kind="relocation", subject="工作地变动", body="将去南通"
    )

    recipients = {
        n.title: sorted(n.deliveries.filter(channel="inapp").values_list("recipient", flat=True))
        for n in Notification.objects.filter(kind="members_mobile_notice").order_by("id")
    }
    assert list(recipients.values()) == [[inflow_secretary.pk], sorted([outflow_secretary.pk, county_admin.pk])]
    assert list(MobileNotice.objects.order_by("id").values_list("from_side", flat=True)) == ["outflow", "inflow"]


def test_participation_and_dues_are_recorded_by_the_inflow_branch_only(world):
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)

    with pytest.raises(PermissionDenied):
        services.mobile_participation_record(
            actor=world.secretary(world.branch),
            membership=membership,
            kind="org_life",
            occurred_on=date(2025, 3, 1),
            description="党员活动日",
        )
    with pytest.raises(DomainError) as exc:
        services.mobile_participation_record(
            actor=world.secretary(world.other_city_branch),
            membership=membership,
            kind="dues",
            occurred_on=date(2025, 3, 1),
            description="党费",
        )
    assert exc.value.field == "dues_amount"
    dues = services.mobile_participation_record(
        actor=world.secretary(world.other_city_branch),
        membership=membership,
        kind="dues",
        occurred_on=date(2025, 3, 9),
        description="交纳党费",
        dues_amount=Decimal("25.50"),
        dues_month=date(2025, 3, 15),
    )
    assert (dues.dues_amount, dues.dues_month) == (Decimal("25.50"), date(2025, 3, 1))


def test_return_checks_the_certificate_and_closes_the_co_management(world):
    outflow_secretary = world.secretary(world.branch)
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)

    with pytest.raises(DomainError):
        services.mobile_return(
            actor=outflow_secretary,
            membership=membership,
            returned_on=date(2025, 9, 1),
            certificate_checked=False,
            conduct="良好",
            org_life="按时参加",
        )
    returned = services.mobile_return(
        actor=outflow_secretary,
        membership=membership,
        returned_on=date(2025, 9, 1),
        certificate_checked=True,
        conduct="表现良好",
        org_life="按时参加流入地组织生活",
    )

    assert returned.status == MobileMembership.Status.RETURNED
    assert [h.to_status for h in returned.history.all()] == ["outflow", "registered", "returned"]
    with pytest.raises(PermissionDenied):  # the inflow side's part ends with the return
        services.mobile_notice_send(
            actor=world.secretary(world.other_city_branch), membership=returned, subject="x", body="y"
        )


def test_relocation_goes_back_to_registered_outflow_towards_the_next_branch(world):
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch, register=True)

    moved = services.mobile_relocate(
        actor=world.secretary(world.other_city_branch),
        membership=membership,
        destination="南通市",
        inflow_branch=world.sibling_county_branch,
    )

    assert (moved.status, moved.inflow_branch, moved.registered_on) == (
        MobileMembership.Status.OUTFLOW,
        world.sibling_county_branch,
        None,
    )
    assert [(h.to_status, h.inflow_branch_id) for h in moved.history.all()] == [
        ("outflow", world.other_city_branch.pk),
        ("registered", world.other_city_branch.pk),
        ("outflow", world.sibling_county_branch.pk),
    ]


def test_contact_is_logged_by_the_outflow_branch_after_going_out(world):
    membership = f.mobile(f.member(world.branch), left_on=date(2025, 1, 10))

    with pytest.raises(DomainError) as exc:
        f.contact(membership, date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.mobile_contact_record(
            actor=world.secretary(world.other_city_branch),
            membership=membership,
            contacted_on=date(2025, 2, 1),
            method="phone",
            situation="x",
        )

    assert exc.value.field == "contacted_on"


def test_member_cannot_leave_while_away(world):
    m = f.member(world.branch)
    f.mobile(m)

    with pytest.raises(ConflictError):
        services.member_leave(actor=f.superuser(), member=m, left_on=date(2025, 6, 1), reason="transferred")


# --- census and partnerships -------------------------------------------------------------------------


def test_census_snapshots_outflow_and_inflow_with_flags(world):
    admin = world.admin(world.committee)
    on = date(2026, 7, 15)
    registered = f.mobile(
        f.member(world.branch), left_on=date(2025, 1, 10), inflow_branch=world.other_city_branch, register=True
    )
    f.contact(registered, date(2026, 5, 1))
    unregistered = f.mobile(f.member(world.branch, name="失联者"), left_on=date(2025, 1, 10))
    f.contact(unregistered, date(2026, 2, 1), reached=False)
    incoming = f.mobile(
        f.member(world.other_city_branch), left_on=date(2026, 6, 1), inflow_branch=world.sibling_branch, register=True
    )
    f.mobile(f.member(world.sibling_county_branch))  # outside the committee: not counted

    census = services.census_take(organization=world.committee, on=on, actor=admin)

    rows = {
        (e.membership_id, e.direction): (e.no_contact, e.whereabouts_unknown, e.not_registered, e.last_contact_on)
        for e in census.entries.all()
    }
    assert rows == {
        (registered.pk, "out"): (False, False, False, date(2026, 5, 1)),
        (unregistered.pk, "out"): (True, True, True, None),
        (incoming.pk, "in"): (False, False, False, None),
    }
    assert (census.outflow_count, census.inflow_count, census.flagged_count) == (2, 1, 1)


def test_census_is_taken_by_an_admin_above_only_and_retaking_replaces(world):
    f.mobile(f.member(world.branch))
    with pytest.raises(PermissionDenied):
        services.census_take(organization=world.committee, actor=world.secretary(world.branch))

    services.census_take(organization=world.committee, year=2026, on=date(2026, 3, 1))
    again = services.census_take(organization=world.committee, year=2026, on=date(2026, 3, 2))

    assert list(world.committee.mobile_censuses.values_list("pk", flat=True)) == [again.pk]


def test_yearly_census_covers_committees_with_mobile_members_once(world):
    f.mobile(f.member(world.branch))

    first = services.census_take_all(on=date(2026, 12, 1))
    again = services.census_take_all(on=date(2026, 12, 2))

    assert (first, again) == (1, 0)
    assert list(MobileCensus.objects.values_list("organization", "year")) == [(world.committee.pk, 2026)]


def test_partnership_review_sets_the_next_review(world):
    admin = world.admin(world.county)
    p = services.partnership_create(
        actor=admin,
        kind="agreement",
        outflow_org=world.committee,
        inflow_org=world.other_city_branch.parent,
        title="双向共管协议",
        signed_on=date(2025, 1, 15),
        review_interval_months=6,
    )
    assert p.next_review_on == date(2025, 7, 15)

    services.partnership_review_record(actor=admin, partnership=p, held_on=date(2025, 8, 1), summary="会商")

    p.refresh_from_db()
    assert p.next_review_on == date(2026, 2, 1)


def test_agreement_is_between_committees_and_needs_one_side_in_jurisdiction(world):
    with pytest.raises(DomainError) as exc:
        services.partnership_create(
            actor=world.admin(world.county),
            kind="agreement",
            outflow_org=world.branch,
            inflow_org=world.other_city_branch,
            title="x",
            signed_on=date(2025, 1, 1),
        )
    assert exc.value.field == "outflow_org"
    with pytest.raises(PermissionDenied):
        services.partnership_create(
            actor=world.admin(world.sibling_county),
            kind="pairing",
            outflow_org=world.branch,
            inflow_org=world.other_city_branch,
            title="x",
            signed_on=date(2025, 1, 1),
        )


def test_yearly_census_also_counts_the_committee_on_the_inflow_side(world):
    f.mobile(f.member(world.other_city_branch), inflow_branch=world.branch, register=True)

    assert services.census_take_all(on=date(2026, 12, 1)) == 2
    assert sorted(MobileCensus.objects.values_list("organization__name", "inflow_count", "outflow_count")) == sorted(
        [("东山街道党工委", 1, 0), (world.other_city_branch.parent.name, 0, 1)]
    )
