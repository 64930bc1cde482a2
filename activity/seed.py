"""Demo activity days for ``seed_demo`` (step order 40), and ``--scale`` a year of records in bulk.

The demo: day rules for the demo counties and the provincial unit; the last four months of activity days
recorded with attendance in every demo branch (through the services), with a member of ``secretary``'s
branch absent three times in a row, a leading cadre's and the secretary's party lectures, the mobile member
attending at the Xuzhou branch; the lecture booked from the pool and delivered two weeks ago, recorded as an
activity of ``secretary``'s branch with its audience; this month's day of that branch planned, not recorded;
a few questions (one overdue, one from the demo user ``member``); monthly reports (one late); one published
excellent case.
"""

import hashlib
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from booking.models import Booking
from members.models import Member
from members.selectors import members_attending
from orgs.models import Organization, User
from orgs.services import user_create

from . import selectors, services
from .models import (
    Activity,
    ActivityContent,
    ActivityStatusChange,
    Attendance,
    DayRule,
    MonthlyReport,
    Question,
)
from .workdays import Workdays, month_start, next_month, previous_month

THEMES = [
    ("学习党章党规，争做合格党员", ["study", "deliberation"]),
    ("传承红色基因，重温入党誓词", ["study", "party_spirit"]),
    ("走访困难群众，办好民生实事", ["service", "deliberation"]),
    ("专题党课：以高质量党建引领基层治理", ["party_lecture", "study"]),
    ("支部党员大会：讨论下月工作计划", ["branch_meeting", "deliberation"]),
    ("开展党员志愿服务，清洁家园", ["service"]),
]

REPORT = "上月组织开展了党员集中学习和志愿服务活动，党员参学率较高，群众反映良好。"
PLAN = "下月组织专题学习，开展走访慰问，推进社区环境整治。"


def _rules(ctx, admin: User) -> None:
    first = date(timezone.localdate().year - 1, 1, 1)
    specs = [
        ("jiangning", {"kind": "weekday", "week": 1, "weekday": 4}, "每月第一个星期五"),
        ("xuanwu", {"kind": "day_of_month", "day": 10}, "每月10日"),
        ("peixian", {"kind": "day_of_month", "day": 5}, "每月5日"),
        ("kunshan", {"kind": "weekday", "week": 2, "weekday": 2}, "每月第二个星期三"),
        ("unit", {"kind": "weekday", "week": -1, "weekday": 4}, "每月最后一个星期五"),
    ]
    for key, rule, note in specs:
        services.day_rule_set(
            actor=admin, organization=ctx.orgs[key], effective_from=first, note=note, today=first, **rule
        )


def _status_for(member: Member, month: date, *, streak_member_id: int | None) -> tuple[str, str]:
    if member.pk == streak_member_id:
        return "absent", ""
    roll = int(hashlib.sha256(f"{member.pk}:{month}".encode()).hexdigest()[:4], 16) % 100
    if roll < 8:
        return "excused", "外出务工请假" if roll % 2 else "身体不适请假"
    if roll < 12:
        return "absent", ""
    return "present", ""


def demo(ctx) -> None:
    today = timezone.localdate()
    admin = ctx.users["admin"]
    secretary = ctx.users["secretary"]
    home = ctx.orgs["branch"]
    _rules(ctx, admin)
    workdays = Workdays()

    home_members = list(members_attending(home, on=today))
    cadre = next((m for m in home_members if m.is_leading_cadre), None)
    streak_member = next((m for m in home_members if not m.is_leading_cadre and m.user_id is None), None)
    this_month = month_start(today)
    months = [this_month]
    for _i in range(4):
        months.insert(0, previous_month(months[0]))
    recorded: dict[int, list[Activity]] = {}
    for index, branch in enumerate(ctx.branches):
        actor = secretary if branch.pk == home.pk else admin
        for m_index, month in enumerate(months):
            planned = selectors.planned_day(branch, month, workdays=workdays)
            held_on = planned.date or (planned.by_rule.nominal if planned.by_rule else month.replace(day=10))
            if held_on > today or (branch.pk == home.pk and month == this_month):
                if branch.pk == home.pk and month == this_month:
                    services.activity_plan(
                        actor=secretary,
                        branch=branch,
                        held_on=held_on,
                        theme="学习贯彻全会精神，谋划来年工作",
                        content_types=["study", "deliberation"],
                        place="社区党群服务中心",
                        host=secretary.full_name,
                        starts_at=time(9, 0),
                    )
                continue
            theme, kinds = THEMES[(index + m_index) % len(THEMES)]
            details = {}
            if "party_lecture" in kinds:
                if branch.pk == home.pk and cadre is not None and m_index % 2 == 0:
                    details = {"lecturer_kind": "leading_cadre", "lecturer_member": cadre}
                else:
                    details = {"lecturer_kind": "secretary", "lecturer_name": actor.full_name or "支部书记"}
            activity = services.activity_plan(
                actor=actor,
                branch=branch,
                held_on=held_on,
                theme=theme,
                content_types=kinds,
                form="lecture" if "party_lecture" in kinds else "meeting",
                place="党群服务中心",
                host=actor.full_name,
                report_last_month=REPORT if "deliberation" in kinds else "",
                plan_next_month=PLAN if "deliberation" in kinds else "",
                summary=f"{theme}。党员交流学习体会，支部书记作总结。",
                **details,
            )
            expected = list(members_attending(branch, on=held_on))
            streak_id = streak_member.pk if streak_member and m_index >= len(months) - 4 else None
            attendance = []
            for member in expected:
                status, reason = _status_for(member, month, streak_member_id=streak_id)
                attendance.append({"member": member.pk, "status": status, "reason": reason})
            recorded.setdefault(branch.pk, []).append(
                services.activity_record(actor=actor, activity=activity, attendance=attendance)
            )

    # The lecture booked from the pool and delivered two weeks ago (booking's demo), recorded with its audience.
    delivered = ctx.extra.get("booking", {}).get("delivered")
    if delivered is not None:
        delivered = Booking.objects.select_related("instructor").get(pk=delivered.pk)
        held_on = delivered.local_date
        lecture_activity = services.activity_plan(
            actor=secretary,
            branch=home,
            held_on=held_on,
            is_activity_day=False,
            theme=delivered.topic,
            content_types=["party_lecture", "study"],
            form="lecture",
            place=delivered.place,
            host=secretary.full_name,
            starts_at=timezone.localtime(delivered.starts_at).time(),
            ends_at=timezone.localtime(delivered.ends_at).time(),
            summary="邀请省级师资库讲师作专题党课，党员结合工作实际交流学习体会。",
            lecture=delivered,
        )
        services.activity_record(
            actor=secretary,
            activity=lecture_activity,
            attendance=[
                {
                    "member": m.pk,
                    **dict(zip(("status", "reason"), _status_for(m, held_on, streak_member_id=None), strict=True)),
                }
                for m in members_attending(home, on=held_on)
            ],
        )

    # Questions: one overdue, one answered, and one the demo user "member" asked.
    demo_member = ctx.extra.get("member")
    if demo_member is not None:
        services.question_ask(
            actor=ctx.users["member"],
            text="小区东门路灯损坏已一个多月，夜间出行不便，支部能否协调物业尽快维修？",
            today=today - timedelta(days=3),
        )
    last = recorded.get(home.pk, [])
    if last:
        overdue = services.question_ask(
            actor=secretary,
            branch=home,
            asked_by=home_members[2] if len(home_members) > 2 else None,
            asker_name="" if len(home_members) > 2 else "群众代表",
            text="社区老年食堂的运营经费来源是否可以公开？",
            activity=last[0],
            due_on=last[0].held_on + timedelta(days=20),
            today=last[0].held_on,
        )
        services.question_act(actor=secretary, question=overdue, action="已联系街道民政科了解经费构成，正在整理。")
        answered = services.question_ask(
            actor=secretary,
            branch=home,
            asker_name="党员代表",
            text="能否在周末增加一次党员集中学习，方便在职党员参加？",
            activity=last[-1],
            today=last[-1].held_on,
        )
        services.question_answer(
            actor=secretary, question=answered, answer="经支委会研究，每季度安排一次周末集中学习。"
        )

    # Monthly reports for the months before: on time mostly, one late.
    for branch in ctx.branches:
        actor = secretary if branch.pk == home.pk else admin
        for month in months[:-1]:
            late = branch.pk == ctx.orgs["branch2"].pk and month == months[-2]
            due = selectors.report_due_on(month)
            when = timezone.make_aware(datetime.combine(due + timedelta(days=3 if late else -2), time(10, 0)))
            if when.date() > today:
                continue
            services.monthly_report_submit(
                actor=actor,
                branch=branch,
                month=month,
                text=f"{branch.name}{month.month}月按时开展党员活动日，党员出勤情况良好，质询事项均已受理。",
                now=when,
            )

    # One excellent case, marked by the county and published.
    if last:
        case = services.case_mark(
            actor=ctx.users["jiangning_admin"],
            activity=last[-1],
            title="“党员+志愿服务”助力社区治理",
            commendation="活动主题鲜明，党员群众共同参与，解决了居民急难愁盼问题，值得推广。",
        )
        services.case_publish(actor=ctx.users["jiangning_admin"], case=case)


# --- scale ------------------------------------------------------------------------------------------


def _scale_actor() -> User:
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    return user or user_create(username="activity_scale_seed", password=None, full_name="规模测试")


def _roll(*parts) -> int:
    return int(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=4).hexdigest(), 16) % 1000


def scale(ctx, n: int) -> None:
    """A year of activity days with attendance for every branch of ``ctx.scale_branch_ids``, in bulk.

    Each county without a rule gets one; about 96 % of branch-months are recorded, with 88 % present,
    7 % excused and 5 % absent, a few members absent month after month, a secretary's party lecture once a
    year, a question now and then and monthly reports (some late).
    """
    branch_ids = list(ctx.scale_branch_ids)
    if not branch_ids:
        return
    actor = _scale_actor()
    today = timezone.localdate()
    first = month_start(today) - timedelta(days=366)
    first = month_start(first)
    ruled = set(DayRule.objects.values_list("organization_id", flat=True))
    for i, county in enumerate(Organization.objects.filter(kind=Organization.Kind.COUNTY).order_by("path")):
        if county.pk in ruled:
            continue
        spec = (
            {"kind": "weekday", "week": 1 + i % 3, "weekday": i % 5}
            if i % 2
            else {"kind": "day_of_month", "day": 1 + i % 20}
        )
        services.day_rule_set(actor=actor, organization=county, effective_from=first, today=first, **spec)

    months = []
    month = next_month(first)
    while month <= month_start(today):
        months.append(month)
        month = next_month(month)
    workdays = Workdays()
    branches = list(Organization.objects.filter(pk__in=branch_ids).order_by("path"))
    rules = {m: selectors.rules_in_force(m) for m in months}
    now = timezone.now()
    chunk = 250
    for start in range(0, len(branches), chunk):
        part = branches[start : start + chunk]
        members: dict[int, list[int]] = {}
        for member_id, branch_id in (
            Member.objects.filter(branch__in=part, left_on__isnull=True).order_by("pk").values_list("pk", "branch_id")
        ):
            members.setdefault(branch_id, []).append(member_id)
        activities: list[Activity] = []
        for month in months:
            days = selectors.planned_days(part, month, workdays=workdays, rules=rules[month])
            for branch in part:
                planned = days[branch.pk]
                held_on = planned.date or (planned.by_rule.nominal if planned.by_rule else month.replace(day=10))
                if held_on > today or _roll(branch.pk, month) < 40:
                    continue
                theme, _kinds = THEMES[(branch.pk + month.month) % len(THEMES)]
                activities.append(
                    Activity(
                        branch=branch,
                        is_activity_day=True,
                        month=month,
                        held_on=held_on,
                        theme=theme,
                        form=Activity.Form.MEETING,
                        place="党员活动室",
                        host="支部书记",
                        status=Activity.Status.RECORDED,
                        lecturer_kind=Activity.Lecturer.SECRETARY if month.month == 7 else "",
                        lecturer_name="支部书记" if month.month == 7 else "",
                        created_by=actor,
                        recorded_by=actor,
                        recorded_at=now,
                    )
                )
        Activity.objects.bulk_create(activities, batch_size=2000)
        contents, history, rows = [], [], []
        streaks: dict[int, int] = {}
        for activity in sorted(activities, key=lambda a: (a.held_on, a.pk)):
            kinds = THEMES[(activity.branch_id + activity.month.month) % len(THEMES)][1]
            if activity.lecturer_kind:
                kinds = [*kinds, "party_lecture"] if "party_lecture" not in kinds else kinds
            contents.extend(ActivityContent(activity=activity, kind=k) for k in kinds)
            history.append(ActivityStatusChange(activity=activity, to_status="recorded", actor=actor, created_at=now))
            counts = {"present": 0, "excused": 0, "absent": 0}
            for member_id in members.get(activity.branch_id, []):
                roll = _roll(member_id, activity.month)
                if member_id % 97 == 0:  # a few members who stay away month after month
                    status = "absent"
                else:
                    status = "absent" if roll < 50 else "excused" if roll < 120 else "present"
                streaks[member_id] = streaks.get(member_id, 0) + 1 if status == "absent" else 0
                counts[status] += 1
                rows.append(
                    Attendance(
                        activity=activity,
                        member_id=member_id,
                        status=status,
                        reason="因事请假" if status == "excused" else "",
                        held_on=activity.held_on,
                        absent_streak=streaks[member_id],
                        created_at=now,
                        updated_at=now,
                    )
                )
            activity.expected_count = sum(counts.values())
            activity.present_count = counts["present"]
            activity.excused_count = counts["excused"]
            activity.absent_count = counts["absent"]
        ActivityContent.objects.bulk_create(contents, batch_size=5000)
        ActivityStatusChange.objects.bulk_create(history, batch_size=5000)
        Attendance.objects.bulk_create(rows, batch_size=5000)
        Activity.objects.bulk_update(
            activities, ["expected_count", "present_count", "excused_count", "absent_count"], batch_size=2000
        )
        reports = []
        for activity in activities:
            due = selectors.report_due_on(activity.month)
            if due > today or _roll("report", activity.branch_id, activity.month) < 60:
                continue
            late = _roll("late", activity.branch_id, activity.month) < 100
            reports.append(
                MonthlyReport(
                    branch_id=activity.branch_id,
                    month=activity.month,
                    text="本月党员活动日按时开展。",
                    due_on=due,
                    submitted_by=actor,
                    submitted_at=now,
                    is_late=late,
                )
            )
        MonthlyReport.objects.bulk_create(reports, batch_size=2000)
        questions = [
            Question(
                branch_id=activity.branch_id,
                activity=activity,
                asker_name="党员",
                text="建议支部公开本年度党费使用情况。",
                asked_on=activity.held_on,
                due_on=activity.held_on + timedelta(days=30),
                status=Question.Status.CLOSED if activity.held_on < today - timedelta(days=90) else "open",
                recorded_by=actor,
            )
            for activity in activities
            if _roll("question", activity.pk) < 40
        ]
        Question.objects.bulk_create(questions, batch_size=2000)
