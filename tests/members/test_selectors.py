from datetime import date

import pytest

from members import selectors, services
from members.models import Member
from tests.members import factories as f

pytestmark = pytest.mark.django_db


# --- quarterly contacts at quarter boundaries -------------------------------------------------------


@pytest.fixture
def away(world):
    """A member of world.branch who went out on 2025-11-20 (Q4 2025)."""
    return f.mobile(f.member(world.branch), left_on=date(2025, 11, 20), inflow_branch=world.other_city_branch)


def _overdue(on):
    return list(selectors.contacts_overdue(actor=None, on=on).values_list("pk", flat=True))


def _due(on):
    return list(selectors.contacts_due(actor=None, on=on).values_list("pk", flat=True))


def test_the_quarter_of_going_out_is_covered_by_the_pre_departure_talk(away):
    assert _due(date(2025, 12, 31)) == []
    assert _overdue(date(2026, 1, 1)) == []


def test_first_full_quarter_away_is_due_then_overdue_the_day_after_it_ends(away):
    assert _due(date(2026, 1, 1)) == [away.pk]
    assert _overdue(date(2026, 3, 31)) == []
    assert _overdue(date(2026, 4, 1)) == [away.pk]


def test_a_contact_on_the_last_day_of_the_quarter_counts_for_that_quarter(away):
    f.contact(away, date(2026, 3, 31))

    assert _overdue(date(2026, 4, 1)) == []
    assert _due(date(2026, 4, 1)) == [away.pk]
    assert _overdue(date(2026, 7, 1)) == [away.pk]


def test_a_contact_on_the_first_day_of_a_quarter_counts_for_the_new_one(away):
    f.contact(away, date(2026, 1, 1))

    assert _due(date(2026, 3, 31)) == []
    assert _overdue(date(2026, 4, 1)) == []
    assert _overdue(date(2026, 7, 1)) == [away.pk]


def test_a_missed_quarter_made_up_in_the_next_clears_the_overdue(away):
    assert _overdue(date(2026, 4, 10)) == [away.pk]
    f.contact(away, date(2026, 4, 15))

    assert _overdue(date(2026, 4, 16)) == []


def test_an_attempt_that_did_not_reach_the_member_is_no_contact(away):
    f.contact(away, date(2026, 2, 1), reached=False)

    assert _overdue(date(2026, 4, 1)) == [away.pk]
    assert list(
        selectors.whereabouts_unknown(selectors.mobile_list(actor=f.superuser())).values_list("pk", flat=True)
    ) == [away.pk]


def test_year_boundary_q4_contact_and_january(world):
    m = f.mobile(f.member(world.branch), left_on=date(2025, 5, 1))
    f.contact(m, date(2025, 12, 31))

    assert _overdue(date(2026, 1, 1)) == []
    assert _due(date(2026, 1, 1)) == [m.pk]


def test_returned_members_leave_the_overdue_list(world, away):
    services.mobile_return(
        actor=f.superuser(),
        membership=away,
        returned_on=date(2026, 3, 1),
        certificate_checked=True,
        conduct="良好",
        org_life="",
    )

    assert _overdue(date(2026, 4, 1)) == []


def test_overdue_list_is_scoped_to_the_outflow_side(world, away):
    outflow_secretary = world.secretary(world.branch)
    inflow_secretary = world.secretary(world.other_city_branch)
    on = date(2026, 4, 1)

    assert list(selectors.contacts_overdue(actor=outflow_secretary, on=on)) == [away]
    assert list(selectors.contacts_overdue(actor=inflow_secretary, on=on)) == []


# --- who sees a mobile member ---------------------------------------------------------------------------


@pytest.fixture
def roles(world):
    return {
        "outflow_secretary": world.secretary(world.branch),
        "outflow_committee_admin": world.admin(world.committee),
        "outflow_county_admin": world.admin(world.county),
        "outflow_city_admin": world.admin(world.city),
        "province_admin": world.admin(world.province),
        "inflow_secretary": world.secretary(world.other_city_branch),
        "inflow_county_admin": world.admin(world.other_city_county),
        "inflow_city_admin": world.admin(world.other_city),
        "sibling_branch_secretary": world.secretary(world.sibling_branch),
        "sibling_county_admin": world.admin(world.sibling_county),
        "sibling_county_secretary": world.secretary(world.sibling_county_branch),
        "plain_member_of_branch": world.member(world.branch),
        "plain_member_of_inflow": world.member(world.other_city_branch),
    }


SEES = {
    "outflow_secretary",
    "outflow_committee_admin",
    "outflow_county_admin",
    "outflow_city_admin",
    "province_admin",
    "inflow_secretary",
    "inflow_county_admin",
    "inflow_city_admin",
    "the_member",
}


def test_a_mobile_member_is_seen_by_both_branches_and_their_supervisors_only(world, roles):
    user = world.member(world.branch)
    roles["the_member"] = user
    m = f.member(world.branch, user=user)
    membership = f.mobile(m, inflow_branch=world.other_city_branch, register=True)

    seen_mobile = {name for name, u in roles.items() if membership in selectors.mobile_list(actor=u)}
    seen_member = {name for name, u in roles.items() if m in selectors.member_list(actor=u)}

    assert seen_mobile == SEES
    assert seen_member == SEES


def test_the_expected_inflow_branch_sees_the_member_before_registration(world, roles):
    membership = f.mobile(f.member(world.branch), inflow_branch=world.other_city_branch)

    assert list(selectors.mobile_pending_registration(actor=roles["inflow_secretary"])) == [membership]
    assert list(selectors.mobile_pending_registration(actor=roles["sibling_county_secretary"])) == []


def test_the_inflow_side_stops_seeing_the_member_after_the_return(world, roles):
    m = f.member(world.branch)
    membership = f.mobile(m, inflow_branch=world.other_city_branch, register=True)
    services.mobile_return(
        actor=roles["outflow_secretary"],
        membership=membership,
        returned_on=date(2025, 6, 1),
        certificate_checked=True,
        conduct="良好",
        org_life="",
    )

    assert list(selectors.mobile_list(actor=roles["inflow_secretary"])) == []
    assert list(selectors.member_list(actor=roles["inflow_secretary"])) == []
    assert list(selectors.mobile_list(actor=roles["outflow_secretary"])) == [membership]


def test_member_list_scopes_admin_secretary_and_member(world):
    user = world.member(world.branch)
    own = f.member(world.branch, user=user)
    colleague = f.member(world.group.parent, group=world.group)
    sibling = f.member(world.sibling_branch)
    f.member(world.other_city_branch)

    def names(actor):
        return sorted(m.pk for m in selectors.member_list(actor=actor))

    assert names(world.admin(world.committee)) == sorted([own.pk, colleague.pk, sibling.pk])
    assert names(world.secretary(world.branch)) == sorted([own.pk, colleague.pk])
    assert names(user) == [own.pk]


def test_member_list_hides_members_who_left_unless_asked(world):
    m = f.member(world.branch)
    services.member_leave(actor=f.superuser(), member=m, left_on=date(2025, 1, 1), reason="deceased")
    secretary = world.secretary(world.branch)

    assert list(selectors.member_list(actor=secretary)) == []
    assert list(selectors.member_list(actor=secretary, filters={"include_left": "true"})) == [m]


# --- who attends ----------------------------------------------------------------------------------------


def test_members_attending_counts_mobile_members_at_their_inflow_branch(world):
    f.member(world.branch, name="留守")
    away = f.member(world.branch, name="外出")
    guest = f.member(world.other_city_branch, name="流入")
    unregistered = f.member(world.branch, name="未登记")
    left = f.member(world.branch, name="已离开")
    services.member_leave(actor=f.superuser(), member=left, left_on=date(2026, 2, 1), reason="transferred")
    f.mobile(away, left_on=date(2025, 12, 1), inflow_branch=world.other_city_branch, register=True)
    f.mobile(guest, left_on=date(2025, 12, 1), inflow_branch=world.branch, register=True)
    f.mobile(unregistered, left_on=date(2025, 12, 1))

    home = selectors.members_attending(world.branch, on=date(2026, 3, 1))
    inflow = selectors.members_attending(world.other_city_branch, on=date(2026, 3, 1))
    before_going = selectors.members_attending(world.branch, on=date(2025, 11, 1))

    assert [(m.name, m.is_mobile_guest) for m in home] == [("未登记", False), ("流入", True), ("留守", False)]
    assert [(m.name, m.is_mobile_guest) for m in inflow] == [("外出", True)]
    assert sorted(m.name for m in before_going) == sorted(["留守", "外出", "未登记", "已离开"])


def test_members_attending_of_a_general_branch_includes_its_branches(world):
    from orgs.services import org_create

    general = org_create(parent=world.committee, name="机关党总支", kind="general_branch")
    below = org_create(parent=general, name="第一党支部", kind="branch")
    a = f.member(general)
    b = f.member(below)

    assert sorted(m.pk for m in selectors.members_attending(general, on=date(2026, 1, 1))) == sorted([a.pk, b.pk])


def test_branch_member_counts_show_exempt_members(world):
    exempt = f.member(world.branch)
    f.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date(2026, 1, 1))
    f.member(world.branch, is_leading_cadre=True)
    services.exemption_approve(
        actor=f.superuser(),
        exemption=services.exemption_request(actor=f.superuser(), member=exempt, reason="disabled"),
    )

    assert selectors.branch_member_counts(world.branch) == {
        "total": 3,
        "probationary": 1,
        "exempt": 1,
        "leading_cadres": 1,
        "mobile_out": 0,
        "record_keeping": 2,
    }
