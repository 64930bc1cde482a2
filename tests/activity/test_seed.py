import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from activity import selectors
from activity.models import Activity, Attendance, DayRule, ExcellentCase, MonthlyReport, Question
from members.models import MobileParticipation
from orgs.models import Organization, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_demo_counties_have_their_day_rules(seeded):
    labels = {r.organization.name: r.label for r in DayRule.objects.select_related("organization")}

    assert labels == {
        "江宁区": "每月第一个星期五",
        "玄武区": "每月10日",
        "沛县": "每月5日",
        "昆山市": "每月第二个星期三",
        "江苏省农业农村厅": "每月最后一个星期五",
    }


def test_demo_records_months_of_activity_days_with_attendance(seeded):
    secretary_branch = User.objects.get(username="secretary").roles.get().organization
    today = timezone.localdate()
    recorded = Activity.objects.filter(status="recorded", is_activity_day=True)

    per_branch = dict(recorded.values_list("branch").annotate(n=Count("id")))
    assert len(per_branch) == 11
    assert all(n >= 3 for n in per_branch.values())
    assert all(a.expected_count == a.attendance.count() > 0 for a in recorded)
    planned = Activity.objects.get(status="planned")
    assert (planned.branch, planned.month) == (secretary_branch, today.replace(day=1))
    assert Attendance.objects.filter(absent_streak__gte=3, activity__branch=secretary_branch).exists()


def test_demo_mobile_member_attends_at_the_xuzhou_branch(seeded):
    xuzhou = User.objects.get(username="xuzhou_secretary").roles.get().organization
    guest_rows = Attendance.objects.filter(is_mobile_guest=True)

    assert set(guest_rows.values_list("activity__branch", flat=True)) == {xuzhou.pk}
    assert MobileParticipation.objects.filter(source__startswith="activity:", kind="org_life").count() == (
        guest_rows.filter(status="present").count()
    )


def test_demo_has_questions_reports_and_a_published_case(seeded):
    member = User.objects.get(username="member").member

    assert Question.objects.filter(asked_by=member).count() == 1
    assert Question.objects.filter(status__in=Question.PENDING, due_on__lt=timezone.localdate()).count() == 1
    assert MonthlyReport.objects.filter(is_late=True).count() == 1
    assert list(ExcellentCase.objects.values_list("status", flat=True)) == ["published"]


def test_scale_adds_a_year_of_records_for_the_new_branches(seeded):
    before = set(Organization.objects.filter(kind="branch").values_list("pk", flat=True))

    call_command("seed_demo", "--scale", "20", verbosity=0)

    new = Organization.objects.filter(kind="branch").exclude(pk__in=before)
    activities = Activity.objects.filter(branch__in=new)
    months = sorted(set(activities.values_list("month", flat=True)))
    assert new.count() == 20
    assert len(months) >= 11
    assert activities.count() >= 20 * 10
    assert all(a.expected_count == a.attendance.count() > 0 for a in activities[:50])
    # The streak kept on each row is the one the services would compute.
    member_id = Attendance.objects.filter(activity__branch__in=new, member_id__gt=0).values_list(
        "member_id", flat=True
    )[0]
    rows = list(Attendance.objects.filter(member_id=member_id).order_by("held_on"))
    streak = 0
    for row in rows:
        streak = streak + 1 if row.status == "absent" else 0
        assert row.absent_streak == streak
    report = selectors.supervision_report(org=Organization.objects.get(depth=1), year=timezone.localdate().year)
    assert report.totals.held >= activities.filter(held_on__year=timezone.localdate().year).count()


def test_demo_links_the_delivered_lecture_to_an_activity_with_its_audience(seeded):
    from booking.models import Booking

    lecture = Booking.objects.get(status="delivered", branch__name="东山街道佳湖社区党支部")
    activity = selectors.activity_for_lecture(lecture)

    assert (activity.status, activity.held_on, activity.lecturer_kind) == ("recorded", lecture.local_date, "instructor")
    assert 0 < selectors.lecture_attendees(lecture).count() == activity.present_count
