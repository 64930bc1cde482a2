from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from activity import selectors, services
from activity.models import Activity, Attachment, Attendance, DayMove, ExcellentCase, MonthlyReport
from activity.signals import attendance_recorded
from members.models import MobileParticipation
from members.selectors import members_attending
from notifications.models import Notification
from orgs.errors import ConflictError, DomainError, InvalidTransition
from tests.activity import factories as af
from tests.members import factories as mf

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture
def branch_with_members(world):
    af.rule(world.county, day=1)
    members = [mf.member(world.branch, name=n) for n in ("王建华", "李秀英", "张志强")]
    return world, members


# --- rules ------------------------------------------------------------------------------------------


def test_a_county_rule_applies_to_its_branches_and_a_newer_rule_takes_over(world):
    af.rule(world.county, day=1, effective_from=date(2026, 1, 1))
    af.rule(world.county, kind="weekday", week=1, weekday=4, effective_from=date(2026, 11, 1))

    october = selectors.planned_day(world.branch, date(2026, 10, 1))
    november = selectors.planned_day(world.branch, date(2026, 11, 1))
    other_city = selectors.planned_day(world.other_city_branch, date(2026, 10, 1))

    assert (october.date, november.date) == (date(2026, 10, 8), date(2026, 11, 6))
    assert (other_city.rule, other_city.date) == (None, None)


def test_only_an_admin_of_the_county_sets_its_rule(world):
    secretary = world.secretary(world.branch)
    city_admin = world.admin(world.city)

    with pytest.raises(PermissionDenied):
        services.day_rule_set(
            actor=secretary, organization=world.county, kind="day_of_month", day=5, effective_from=date(2026, 12, 1)
        )
    with pytest.raises(DomainError) as raised:
        services.day_rule_set(
            actor=city_admin, organization=world.committee, kind="day_of_month", day=5, effective_from=date(2026, 12, 1)
        )
    rule = services.day_rule_set(
        actor=city_admin,
        organization=world.county,
        kind="day_of_month",
        day=5,
        effective_from=date(2026, 12, 20),
        today=date(2026, 11, 28),
    )

    assert raised.value.field == "organization"
    assert (rule.effective_from, rule.label) == (date(2026, 12, 1), "每月5日")


def test_a_rule_cannot_start_in_a_passed_month_nor_name_a_day_32(world):
    admin = world.admin(world.county)

    with pytest.raises(DomainError) as passed:
        services.day_rule_set(
            actor=admin,
            organization=world.county,
            kind="day_of_month",
            day=5,
            effective_from=date(2026, 10, 1),
            today=date(2026, 11, 28),
        )
    with pytest.raises(DomainError) as bad_day:
        services.day_rule_set(
            actor=admin,
            organization=world.county,
            kind="day_of_month",
            day=32,
            effective_from=date(2026, 12, 1),
            today=date(2026, 11, 28),
        )

    assert (passed.value.field, bad_day.value.field) == ("effective_from", "day")


# --- moving the day ---------------------------------------------------------------------------------


def test_a_branch_moves_its_day_within_the_month_with_a_reason(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)

    move = services.day_move(
        actor=secretary, branch=world.branch, month=date(2026, 10, 1), moved_to=date(2026, 10, 16), reason="迎接检查"
    )

    planned = selectors.planned_day(world.branch, date(2026, 10, 1))
    assert (move.original, planned.date, planned.move.reason) == (date(2026, 10, 8), date(2026, 10, 16), "迎接检查")
    assert selectors.planned_day(world.sibling_branch, date(2026, 10, 1)).date == date(2026, 10, 8)


def test_a_branch_cannot_move_its_day_into_another_month(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)

    with pytest.raises(DomainError) as raised:
        services.day_move(
            actor=secretary,
            branch=world.branch,
            month=date(2026, 10, 1),
            moved_to=date(2026, 11, 2),
            reason="十月太忙",
        )

    assert raised.value.field == "moved_to"
    assert "2026-10-01" in str(raised.value.message) and "2026-10-31" in str(raised.value.message)
    assert DayMove.objects.count() == 0


def test_moving_back_to_the_day_of_the_rule_removes_the_move(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)
    services.day_move(
        actor=secretary, branch=world.branch, month=date(2026, 10, 1), moved_to=date(2026, 10, 16), reason="检查"
    )

    result = services.day_move(
        actor=secretary, branch=world.branch, month=date(2026, 10, 1), moved_to=date(2026, 10, 8), reason="恢复"
    )

    assert (result, DayMove.objects.count()) == (None, 0)


def test_another_branch_secretary_cannot_move_the_day(branch_with_members):
    world, _members = branch_with_members

    with pytest.raises(PermissionDenied):
        services.day_move(
            actor=world.secretary(world.sibling_branch),
            branch=world.branch,
            month=date(2026, 10, 1),
            moved_to=date(2026, 10, 9),
            reason="x",
        )


# --- planning and recording -------------------------------------------------------------------------


def test_the_activity_day_is_planned_on_the_branch_day_and_another_day_needs_a_reason(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)

    with pytest.raises(DomainError) as raised:
        af.plan(world.branch, date(2026, 10, 12), actor=secretary, is_activity_day=True)
    activity = af.plan(world.branch, date(2026, 10, 12), actor=secretary, is_activity_day=True, move_reason="书记外出")

    assert raised.value.field == "held_on"
    assert "2026-10-08" in str(raised.value.message)
    assert (activity.month, activity.status) == (date(2026, 10, 1), "planned")
    assert selectors.planned_day(world.branch, date(2026, 10, 1)).date == date(2026, 10, 12)


def test_a_planned_activity_day_cannot_be_moved_into_another_month(branch_with_members):
    world, members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    with pytest.raises(DomainError) as updated:
        services.activity_update(
            actor=mf.superuser(), activity=activity, changes={}, held_on=date(2026, 11, 2), move_reason="推迟"
        )
    with pytest.raises(DomainError) as recorded:
        af.record(activity, members, held_on=date(2026, 11, 2), move_reason="推迟")
    moved = services.activity_update(
        actor=mf.superuser(), activity=activity, changes={}, held_on=date(2026, 10, 15), move_reason="书记外出"
    )

    assert (updated.value.field, recorded.value.field) == ("held_on", "held_on")
    assert "2026-10-31" in str(updated.value.message)
    assert (moved.held_on, selectors.planned_day(world.branch, date(2026, 10, 1)).date) == (
        date(2026, 10, 15),
        date(2026, 10, 15),
    )


def test_one_activity_day_a_month_but_other_activities_are_free(branch_with_members):
    world, _members = branch_with_members
    af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    with pytest.raises(ConflictError):
        af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)
    other = af.plan(world.branch, date(2026, 10, 20), is_activity_day=False, content_types=["committee_meeting"])

    assert other.content_kinds == ["committee_meeting"]


def test_recording_needs_every_member_and_a_reason_for_an_excuse(branch_with_members):
    world, members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    with pytest.raises(DomainError) as missing:
        services.activity_record(
            actor=mf.superuser(),
            activity=activity,
            attendance=af.everyone(members[:2]),
            today=date(2026, 11, 28),
        )
    with pytest.raises(DomainError) as no_reason:
        services.activity_record(
            actor=mf.superuser(),
            activity=activity,
            attendance=af.everyone(members, overrides={members[1].pk: ("excused", "")}),
            today=date(2026, 11, 28),
        )

    assert missing.value.field == "attendance" and "张志强" in str(missing.value.message)
    assert "李秀英" in str(no_reason.value.message)
    assert Attendance.objects.count() == 0
    assert Activity.objects.get().status == "planned"


def test_an_activity_in_the_future_cannot_be_recorded(branch_with_members):
    world, members = branch_with_members
    activity = af.plan(world.branch, date(2026, 12, 1), is_activity_day=True)

    with pytest.raises(DomainError) as raised:
        af.record(activity, members, today=date(2026, 11, 28))

    assert raised.value.field == "held_on"


def test_recording_counts_and_saving_again_updates_rows_in_place(
    branch_with_members, django_capture_on_commit_callbacks
):
    world, members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)
    received = []

    def listener(sender, activity_id, **kwargs):
        received.append(activity_id)

    attendance_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            af.record(activity, members, overrides={members[2].pk: ("absent", "")})
        ids = sorted(Attendance.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            activity = af.record(activity, members, overrides={members[2].pk: ("excused", "生病住院")})
    finally:
        attendance_recorded.disconnect(listener)

    assert sorted(Attendance.objects.values_list("pk", flat=True)) == ids
    assert list(Attendance.objects.order_by("member__name").values_list("member__name", "status", "reason")) == [
        ("张志强", "excused", "生病住院"),
        ("李秀英", "present", ""),
        ("王建华", "present", ""),
    ]
    assert (activity.expected_count, activity.present_count, activity.excused_count, activity.absent_count) == (
        3,
        2,
        1,
        0,
    )
    assert received == [activity.pk, activity.pk]
    assert list(activity.history.values_list("to_status", flat=True)) == ["planned", "recorded", "recorded"]


def test_absences_in_a_row_are_counted_and_the_third_is_reported(branch_with_members):
    world, members = branch_with_members
    secretary = world.secretary(world.branch)
    absentee = members[0]
    for month in (8, 9, 10):
        day = selectors.planned_day(world.branch, date(2026, month, 1)).date
        af.record(af.plan(world.branch, day, is_activity_day=True), members, overrides={absentee.pk: ("absent", "")})

    streaks = list(
        Attendance.objects.filter(member=absentee).order_by("held_on").values_list("absent_streak", flat=True)
    )

    assert streaks == [1, 2, 3]
    notification = Notification.objects.get(kind="activity_absent_streak")
    assert list(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [secretary.pk]
    assert absentee.name in notification.title


def test_recording_an_earlier_month_later_recomputes_the_streak(branch_with_members):
    world, members = branch_with_members
    absentee = members[0]
    october = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)
    af.record(october, members, overrides={absentee.pk: ("absent", "")})
    september = af.plan(world.branch, date(2026, 9, 1), is_activity_day=True)
    af.record(september, members, overrides={absentee.pk: ("absent", "")})

    assert Attendance.objects.get(activity=october, member=absentee).absent_streak == 2

    af.record(september, members)

    assert Attendance.objects.get(activity=october, member=absentee).absent_streak == 1


def test_a_mobile_member_attends_at_the_inflow_branch_and_it_goes_into_the_certificate_once(world):
    af.rule(world.county, day=1)
    af.rule(world.other_city_county, day=1)
    away = mf.member(world.branch, name="周海燕")
    stay = mf.member(world.branch, name="王建华")
    host = mf.member(world.other_city_branch, name="张志强")
    membership = mf.mobile(away, left_on=date(2026, 1, 10), inflow_branch=world.other_city_branch, register=True)
    inflow_activity = af.plan(world.other_city_branch, date(2026, 10, 8), is_activity_day=True)

    af.record(inflow_activity, [host, away])
    af.record(inflow_activity, [host, away])
    home_expected = [m.name for m in members_attending(world.branch, on=date(2026, 10, 8))]

    assert home_expected == ["王建华"]
    row = Attendance.objects.get(member=away)
    assert (row.is_mobile_guest, row.activity.branch) == (True, world.other_city_branch)
    assert list(MobileParticipation.objects.values_list("membership", "kind", "occurred_on", "source")) == [
        (membership.pk, "org_life", date(2026, 10, 8), f"activity:{inflow_activity.pk}")
    ]
    assert stay.pk not in Attendance.objects.values_list("member", flat=True)


def test_a_leading_cadres_lecture_names_the_cadre(branch_with_members):
    world, members = branch_with_members
    cadre = mf.member(world.sibling_branch, name="赵书记", is_leading_cadre=True)
    plain = members[0]

    with pytest.raises(DomainError) as not_cadre:
        af.plan(
            world.branch,
            date(2026, 10, 8),
            content_types=["party_lecture"],
            lecturer_kind="leading_cadre",
            lecturer_member=plain,
        )
    lecture = af.plan(
        world.branch,
        date(2026, 10, 8),
        content_types=["party_lecture", "study"],
        lecturer_kind="leading_cadre",
        lecturer_member=cadre,
    )
    without_lecture = af.plan(
        world.branch, date(2026, 10, 9), content_types=["study"], lecturer_kind="secretary", lecturer_name="王建华"
    )

    assert not_cadre.value.field == "lecturer_member"
    assert (lecture.lecturer_name, lecture.content_kinds) == ("赵书记", ["study", "party_lecture"])
    assert (without_lecture.lecturer_kind, without_lecture.lecturer_name) == ("", "")


def test_only_the_branch_activists_can_be_invited(world):
    af.rule(world.county, day=1)
    own = services_activist(world.branch, "郑嘉怡")
    stranger = services_activist(world.sibling_branch, "冯浩然")

    with pytest.raises(DomainError) as raised:
        af.plan(world.branch, date(2026, 10, 8), invitees=[own, stranger])
    activity = af.plan(world.branch, date(2026, 10, 8), invitees=[own])

    assert raised.value.field == "invitees"
    assert list(activity.invitees.values_list("name", flat=True)) == ["郑嘉怡"]


def services_activist(branch, name):
    from members import services as member_services

    return member_services.activist_create(
        actor=mf.superuser(),
        branch=branch,
        name=name,
        id_number=mf.id_number(),
        phone=mf.phone(),
        gender="male",
        applied_on=date(2025, 1, 1),
        activist_since=date(2025, 3, 1),
    )


def test_a_cancelled_activity_frees_the_month(branch_with_members):
    world, _members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    services.activity_cancel(actor=mf.superuser(), activity=activity, reason="台风预警")
    again = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)

    assert (Activity.objects.get(pk=activity.pk).status, again.status) == ("cancelled", "planned")
    with pytest.raises(InvalidTransition):
        services.activity_cancel(actor=mf.superuser(), activity=activity, reason="再次")


# --- attachments ------------------------------------------------------------------------------------


def test_attachments_are_checked_by_content_type_and_size(branch_with_members, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ACTIVITY_ATTACHMENT_MAX_BYTES = 1000
    world, _members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8))
    actor = mf.superuser()

    photo = services.attachment_add(actor=actor, activity=activity, upload=SimpleUploadedFile("签到表.png", PNG))
    minutes = services.attachment_add(actor=actor, activity=activity, upload=SimpleUploadedFile("会议记录.pdf", PDF))
    errors = []
    for upload in (
        SimpleUploadedFile("假图片.png", PDF),
        SimpleUploadedFile("脚本.html", b"<script>"),
        SimpleUploadedFile("大照片.jpg", b"\xff\xd8\xff" + b"0" * 2000),
    ):
        with pytest.raises(DomainError) as raised:
            services.attachment_add(actor=actor, activity=activity, upload=upload)
        errors.append((raised.value.field, upload.name in str(raised.value.message)))

    assert [(a.kind, a.content_type, a.original_name) for a in (photo, minutes)] == [
        ("image", "image/png", "签到表.png"),
        ("pdf", "application/pdf", "会议记录.pdf"),
    ]
    assert errors == [("file", True)] * 3
    assert Attachment.objects.count() == 2
    services.attachment_remove(actor=actor, attachment=photo)
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["会议记录.pdf"]


def test_another_secretary_cannot_attach(branch_with_members):
    world, _members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8))

    with pytest.raises(PermissionDenied):
        services.attachment_add(
            actor=world.secretary(world.sibling_branch), activity=activity, upload=SimpleUploadedFile("a.png", PNG)
        )


# --- questions --------------------------------------------------------------------------------------


def test_a_member_asks_and_the_branch_answers_until_closed(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)
    user = world.member(world.branch)
    asker = mf.member(world.branch, name="陈晓明", user=user)

    question = services.question_ask(actor=user, text="路灯何时修好？", today=date(2026, 11, 1))
    question = services.question_act(actor=secretary, question=question, action="已联系物业")
    question = services.question_answer(
        actor=secretary, question=question, answer="已于11月10日修复", today=date(2026, 11, 10)
    )
    question = services.question_reopen(actor=user, question=question, reason="东门的还没修")
    question = services.question_answer(actor=secretary, question=question, answer="东门也已修复")
    question = services.question_close(actor=user, question=question, today=date(2026, 11, 20))

    assert (question.branch, question.asked_by, question.due_on) == (world.branch, asker, date(2026, 12, 1))
    assert list(question.history.values_list("to_status", flat=True)) == [
        "open",
        "in_progress",
        "answered",
        "in_progress",
        "answered",
        "closed",
    ]
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            "activity_question_asked",
            "activity_question_in_progress",
            "activity_question_answered",
            "activity_question_reopened",
            "activity_question_answered",
        ]
    )


def test_a_member_cannot_ask_of_another_branch_nor_answer(branch_with_members):
    world, _members = branch_with_members
    user = world.member(world.branch)
    mf.member(world.branch, user=user)
    question = services.question_ask(actor=user, text="问题")

    with pytest.raises(PermissionDenied):
        services.question_ask(actor=user, text="别的支部", branch=world.sibling_branch)
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=user, question=question, answer="自己答")


def test_overdue_questions_are_listed_for_the_branch_and_supervisors(branch_with_members):
    world, members = branch_with_members
    secretary = world.secretary(world.branch)
    county_admin = world.admin(world.county)
    old = services.question_ask(
        actor=secretary,
        branch=world.branch,
        asked_by=members[0],
        text="旧问题",
        due_on=date(2026, 10, 1),
        today=date(2026, 9, 20),
    )
    services.question_ask(actor=secretary, branch=world.branch, asked_by=members[1], text="新问题")

    assert [q.pk for q in selectors.overdue_questions(actor=county_admin)] == [old.pk]
    assert [q.pk for q in selectors.overdue_questions(actor=secretary)] == [old.pk]
    assert list(selectors.overdue_questions(actor=world.admin(world.sibling_county))) == []
    assert old.is_overdue() is True


# --- monthly reports and excellent cases ------------------------------------------------------------


def test_a_monthly_report_after_the_due_day_is_late_and_amending_keeps_it(branch_with_members):
    from datetime import datetime

    from django.utils import timezone

    world, _members = branch_with_members
    secretary = world.secretary(world.branch)
    county_admin = world.admin(world.county)
    committee_admin = world.admin(world.committee)

    report = services.monthly_report_submit(
        actor=secretary,
        branch=world.branch,
        month=date(2026, 9, 1),
        text="九月报告",
        now=timezone.make_aware(datetime(2026, 10, 8, 9)),
    )
    amended = services.monthly_report_submit(
        actor=secretary, branch=world.branch, month=date(2026, 9, 1), text="九月报告（修订）"
    )

    assert (report.due_on, report.is_late) == (date(2026, 10, 5), True)
    assert (amended.pk, amended.is_late, amended.text) == (report.pk, True, "九月报告（修订）")
    assert MonthlyReport.objects.count() == 1
    recipients = set(
        Notification.objects.filter(kind="activity_report_submitted").values_list("deliveries__recipient", flat=True)
    )
    assert recipients == {committee_admin.pk}
    assert county_admin.pk not in recipients


def test_a_higher_organization_marks_and_publishes_an_excellent_case(branch_with_members):
    world, members = branch_with_members
    secretary = world.secretary(world.branch)
    county_admin = world.admin(world.county)
    activity = af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)

    with pytest.raises(PermissionDenied):
        services.case_mark(actor=secretary, activity=activity, title="自荐", commendation="很好")
    case = services.case_mark(actor=county_admin, activity=activity, title="好案例", commendation="主题鲜明")
    with pytest.raises(ConflictError):
        services.case_mark(actor=county_admin, activity=activity, title="再次", commendation="x")
    case = services.case_publish(actor=county_admin, case=case)

    assert (case.organization, case.status) == (world.county, "published")
    assert [c.pk for c in selectors.case_list(actor=world.secretary(world.other_city_branch))] == [case.pk]
    assert Notification.objects.filter(kind="activity_case_published").count() == 1
    services.case_withdraw(actor=county_admin, case=case, reason="材料不实")
    assert list(selectors.case_list(actor=world.secretary(world.other_city_branch))) == []
    assert ExcellentCase.objects.get().status == "withdrawn"


# --- reminders --------------------------------------------------------------------------------------


def test_secretaries_are_reminded_a_few_days_before_the_day_once(branch_with_members):
    world, _members = branch_with_members
    secretary = world.secretary(world.branch)
    world.secretary(world.other_city_branch)  # no rule there: no day to remind of

    early = services.day_reminders_send(today=date(2026, 10, 1))
    first = services.day_reminders_send(today=date(2026, 10, 5))
    again = services.day_reminders_send(today=date(2026, 10, 6))

    assert (early, first, again) == (0, 1, 0)
    notification = Notification.objects.get(kind="activity_day_upcoming")
    assert list(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [secretary.pk]
    assert "2026-10-08" in notification.title


def test_a_missing_calendar_is_told_instead_of_a_guessed_day(world):
    af.rule(world.county, day=10)
    world.secretary(world.branch)

    sent = services.day_reminders_send(today=date(2027, 1, 5))

    assert sent == 1
    assert list(Notification.objects.values_list("kind", flat=True)) == ["activity_calendar_missing"]
    assert "2027" in Notification.objects.get().body


def test_on_the_25th_branches_without_a_recorded_day_are_reminded(branch_with_members):
    world, members = branch_with_members
    world.secretary(world.branch)
    sibling_secretary = world.secretary(world.sibling_branch)
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)

    first = services.unrecorded_reminders_send(today=date(2026, 10, 25))
    again = services.unrecorded_reminders_send(today=date(2026, 10, 25))

    assert (first, again) == (1, 0)
    notification = Notification.objects.get(kind="activity_day_unrecorded")
    assert list(notification.deliveries.filter(channel="inapp").values_list("recipient", flat=True)) == [
        sibling_secretary.pk
    ]


# --- the holiday calendar ---------------------------------------------------------------------------


def test_the_calendar_is_entered_by_the_province_only_and_checked(world):
    with pytest.raises(PermissionDenied):
        services.calendar_year_save(actor=world.admin(world.city), year=2027, holidays=[(date(2027, 1, 1), "元旦")])
    province_admin = world.admin(world.province)
    with pytest.raises(DomainError) as weekday_workday:
        services.calendar_year_save(
            actor=province_admin,
            year=2027,
            holidays=[(date(2027, 1, 1), "元旦")],
            workdays=[(date(2027, 1, 4), "不是周末")],
        )
    with pytest.raises(DomainError) as wrong_year:
        services.calendar_year_save(actor=province_admin, year=2027, holidays=[(date(2028, 1, 1), "元旦")])

    calendar = services.calendar_year_save(
        actor=province_admin, year=2027, holidays=[(date(2027, 1, 1), "元旦")], document="国办发明电〔2026〕1号"
    )

    assert (weekday_workday.value.field, wrong_year.value.field) == ("workdays", "holidays")
    assert list(calendar.days.values_list("day", "kind", "name")) == [(date(2027, 1, 1), "holiday", "元旦")]


def test_attendance_changed_since_lists_rows_written_after_a_moment(branch_with_members):
    from django.utils import timezone

    world, members = branch_with_members
    activity = af.plan(world.branch, date(2026, 10, 8), is_activity_day=True)
    af.record(activity, members)
    moment = timezone.now()
    af.record(activity, members, overrides={members[0].pk: ("excused", "出差")})

    changed = list(selectors.attendance_changed_since(since=moment).values_list("member__name", "status"))

    assert changed == [("王建华", "excused")]
