"""党员活动日 (SPEC section 7; 关于建立健全党员活动日制度的意见).

Each county (or 省级机关 unit) fixes one day a month for its branches (``DayRule``); on a public holiday or
weekend the day moves to the nearest working day of the same month, by the Chinese calendar
(``chinese_calendar`` for 2004–2026, ``HolidayCalendar`` entered by admins for later years). A branch may
move its day within the month with a reason (``DayMove``). Each activity is recorded (``Activity``, 记实)
with attendance for every member (``Attendance``), invited activists, attachments, the secretary's report
and plan (民主议事) and members' questions (``Question``, 质询). Branches report monthly upward
(``MonthlyReport``); higher organizations mark and publish excellent cases (``ExcellentCase``).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Activist, Member
from orgs.fsm import StateMachineMixin, StatusChange
from orgs.models import Organization

# --- holiday calendar -------------------------------------------------------------------------------


class HolidayCalendar(models.Model):
    """One year's public holidays and make-up workdays as the State Council published them.

    Entered by admins for the years the ``chinese_calendar`` package does not cover (it stops at 2026);
    an entered year takes precedence over the package.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    document = models.CharField(
        _("notice"), max_length=200, blank=True, help_text=_("The State Council notice the days come from.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A public holiday on a working day of the week, or a make-up workday on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up workday")

    calendar = models.ForeignKey(
        HolidayCalendar, verbose_name=_("holiday calendar"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("holiday name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} · {self.get_kind_display()}"


# --- the day of each month ----------------------------------------------------------------------------


class DayRule(models.Model):
    """The day a county (or a provincial unit) fixes for its branches: "每月 N 日" or "每月第 K 个星期 X".

    A new rule takes over from its ``effective_from`` month; older rules stay as history. A branch follows
    the rule of its nearest organization above that has one in force.
    """

    class Kind(models.TextChoices):
        DAY_OF_MONTH = "day_of_month", _("A day of the month")
        WEEKDAY = "weekday", _("A weekday of the month")

    class Tie(models.TextChoices):
        LATER = "later", _("Postpone (the later day)")
        EARLIER = "earlier", _("Bring forward (the earlier day)")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Week(models.IntegerChoices):
        FIRST = 1, pgettext_lazy("week of the month", "first")
        SECOND = 2, pgettext_lazy("week of the month", "second")
        THIRD = 3, pgettext_lazy("week of the month", "third")
        FOURTH = 4, pgettext_lazy("week of the month", "fourth")
        LAST = -1, pgettext_lazy("week of the month", "last")

    # Who may fix a day: a county or a provincial unit; a city or the province may set a default for the
    # branches below it that have no county rule.
    RULE_ORG_KINDS = (
        Organization.Kind.COUNTY,
        Organization.Kind.UNIT,
        Organization.Kind.CITY,
        Organization.Kind.PROVINCE,
    )

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="day_rules"
    )
    kind = models.CharField(_("rule"), max_length=20, choices=Kind.choices)
    day = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        help_text=_("1–31; in a shorter month the last day of the month."),
    )
    week = models.SmallIntegerField(_("week of the month"), choices=Week.choices, null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    on_tie = models.CharField(
        _("when two working days are equally near"), max_length=10, choices=Tie.choices, default=Tie.LATER
    )
    effective_from = models.DateField(_("in force from"), help_text=_("The first day of a month."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity day rule")
        verbose_name_plural = _("activity day rules")
        ordering = ["organization_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "effective_from"], name="activity_rule_once_a_month"),
            models.CheckConstraint(
                condition=(Q(kind="day_of_month", day__gte=1, day__lte=31, week__isnull=True, weekday__isnull=True))
                | Q(kind="weekday", day__isnull=True, week__isnull=False, weekday__gte=0, weekday__lte=6),
                name="activity_rule_fields_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.label}"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.DAY_OF_MONTH:
            return str(_("Day %(day)s of every month") % {"day": self.day})
        return str(
            _("The %(week)s %(weekday)s of every month")
            % {"week": self.Week(self.week).label, "weekday": self.Weekday(self.weekday).label}
        )


class DayMove(models.Model):
    """A branch moved its activity day of one month to another day of the same month, with a reason."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="activity_day_moves"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    moved_to = models.DateField(_("new date"))
    original = models.DateField(_("date by the rule"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity day move")
        verbose_name_plural = _("activity day moves")
        ordering = ["-month", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="activity_one_move_a_month"),
            models.CheckConstraint(condition=Q(moved_to__gte=models.F("month")), name="activity_move_not_before_month"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.moved_to}"


# --- the record of an activity ------------------------------------------------------------------------


class ContentType(models.TextChoices):
    """What an activity contained: the four parts of the day, and the kinds of 三会一课."""

    STUDY = "study", _("Study and education")
    PARTY_SPIRIT = "party_spirit", _("Party-spirit analysis")
    DELIBERATION = "deliberation", _("Democratic deliberation")
    SERVICE = "service", _("Service to the people")
    BRANCH_MEETING = "branch_meeting", _("General meeting of branch members")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    ORG_LIFE_MEETING = "org_life_meeting", _("Organizational life meeting")
    APPRAISAL = "appraisal", _("Democratic appraisal of members")


class Activity(StateMachineMixin):
    """记实: one activity of a branch — the month's activity day or another branch-wide activity.

    planned → recorded (attendance taken; saving again updates it in place), planned → cancelled.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RECORDED = "recorded", _("Recorded")
        CANCELLED = "cancelled", _("Cancelled")

    class Form(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        STUDY_SESSION = "study_session", _("Group study")
        LECTURE = "lecture", _("Lecture")
        ON_SITE = "on_site", _("On-site teaching or visit")
        DISCUSSION = "discussion", _("Seminar and exchange")
        PRACTICE = "practice", _("Volunteer service or practice")
        REMOTE = "remote", _("Remote education or online")
        OTHER = "other", _("Other form")

    class Lecturer(models.TextChoices):
        SECRETARY = "secretary", _("The branch secretary")
        LEADING_CADRE = "leading_cadre", _("A leading cadre")
        INSTRUCTOR = "instructor", _("An instructor of the pool")
        OTHER = "other", _("Someone else")

    TRANSITIONS = {
        Status.PLANNED: {Status.RECORDED, Status.CANCELLED},
        Status.RECORDED: {Status.RECORDED},
    }
    history_subject_field = "activity"

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="activities"
    )
    is_activity_day = models.BooleanField(
        _("the month's activity day"), default=True, help_text=_("Off: another activity of the branch.")
    )
    month = models.DateField(_("month"), editable=False, help_text=_("The first day of the month held in."))
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    theme = models.CharField(_("theme"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.MEETING)
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=50, blank=True)
    summary = models.TextField(_("what was done"), blank=True)
    report_last_month = models.TextField(
        _("report on last month"), blank=True, help_text=_("The secretary's report of the branch's work last month.")
    )
    plan_next_month = models.TextField(
        _("plan for next month"), blank=True, help_text=_("The work plan put to the members for discussion.")
    )
    lecturer_kind = models.CharField(_("party lecture given by"), max_length=20, choices=Lecturer.choices, blank=True)
    lecturer_member = models.ForeignKey(
        Member,
        verbose_name=_("lecturer (member)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_lectures",
    )
    lecturer_name = models.CharField(_("lecturer"), max_length=50, blank=True)
    lecture = models.OneToOneField(
        "booking.Booking",
        verbose_name=_("booked lecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity",
        help_text=_("The lecture a pool instructor gave at this activity; its audience may rate it."),
    )
    invitees = models.ManyToManyField(
        Activist, verbose_name=_("invited activists and candidates"), blank=True, related_name="activities"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Figures of the attendance, kept with the record so that supervision sums them without the rows.
    expected_count = models.PositiveIntegerField(_("members expected"), default=0)
    present_count = models.PositiveIntegerField(_("present"), default=0)
    excused_count = models.PositiveIntegerField(_("excused"), default=0)
    absent_count = models.PositiveIntegerField(_("absent without reason"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "month"],
                condition=Q(is_activity_day=True) & ~Q(status="cancelled"),
                name="activity_one_day_a_month",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "month"], name="activity_branch_month"),
            models.Index(fields=["month", "status"], name="activity_month_status"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.held_on} · {self.theme}"

    @classmethod
    def history_model(cls):
        return ActivityStatusChange

    def save(self, *args, **kwargs):
        if self.held_on:
            self.month = self.held_on.replace(day=1)
            if kwargs.get("update_fields") is not None and "held_on" in kwargs["update_fields"]:
                kwargs["update_fields"] = {*kwargs["update_fields"], "month"}
        super().save(*args, **kwargs)

    @property
    def content_kinds(self) -> list[str]:
        """The content types in their fixed order (uses the prefetched rows when there are some)."""
        kinds = {c.kind for c in self.contents.all()}
        return [k for k in ContentType.values if k in kinds]

    @property
    def content_labels(self) -> list[str]:
        return [ContentType(k).label for k in self.content_kinds]

    @property
    def attendance_rate(self) -> float | None:
        return self.present_count / self.expected_count if self.expected_count else None

    @property
    def is_recorded(self) -> bool:
        return self.status == self.Status.RECORDED


class ActivityStatusChange(StatusChange):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity record"), on_delete=models.CASCADE, related_name="history"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("activity record change")
        verbose_name_plural = _("activity record changes")


class ActivityContent(models.Model):
    """One content type of an activity (an activity holds several)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity record"), on_delete=models.CASCADE, related_name="contents"
    )
    kind = models.CharField(_("content type"), max_length=30, choices=ContentType.choices)

    class Meta:
        verbose_name = _("activity content")
        verbose_name_plural = _("activity contents")
        constraints = [models.UniqueConstraint(fields=["activity", "kind"], name="activity_content_once")]
        indexes = [models.Index(fields=["kind", "activity"], name="activity_content_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Attendance(models.Model):
    """One member at one activity: present, excused with a reason, or absent without reason.

    One row per activity and member, updated in place when the record is saved again, so that whatever
    is built from it (the records app's org-life entries) never sees duplicates.
    """

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent without reason")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity record"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    is_mobile_guest = models.BooleanField(
        _("mobile member from elsewhere"),
        default=False,
        help_text=_("A mobile member who attends here as the inflow branch."),
    )
    held_on = models.DateField(_("date"), help_text=_("The activity's date, kept here for the member's history."))
    absent_streak = models.PositiveSmallIntegerField(
        _("absences in a row"),
        default=0,
        help_text=_("How many activities in a row, up to this one, the member missed without reason."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity_id", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="activity_attendance_once")]
        indexes = [
            models.Index(fields=["member", "held_on"], name="activity_member_history"),
            models.Index(fields=["held_on"], condition=Q(absent_streak__gte=3), name="activity_absent_streaks"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    today = timezone.localdate()
    return f"activity/{today:%Y/%m}/{instance.activity_id}-{filename}"


class Attachment(models.Model):
    """A photo or a PDF of an activity (sign-in sheet, minutes, pictures), type-checked and size-limited."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity record"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("media type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- 民主议事: members' questions --------------------------------------------------------------------


class Question(StateMachineMixin):
    """质询: a member's question that the branch must answer or act on by a due date, tracked until closed.

    open → in progress (action under way) → answered → closed; an answer the member does not accept
    goes back to in progress.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        IN_PROGRESS = "in_progress", _("Being acted on")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.ANSWERED},
        Status.IN_PROGRESS: {Status.ANSWERED},
        Status.ANSWERED: {Status.CLOSED, Status.IN_PROGRESS},
    }
    PENDING = (Status.OPEN, Status.IN_PROGRESS)
    UNCLOSED = (Status.OPEN, Status.IN_PROGRESS, Status.ANSWERED)
    history_subject_field = "question"

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="activity_questions"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("raised at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    asked_by = models.ForeignKey(
        Member, verbose_name=_("asked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asker_name = models.CharField(_("asker"), max_length=50)
    text = models.TextField(_("question"))
    asked_on = models.DateField(_("asked on"))
    due_on = models.DateField(_("answer due"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    action = models.TextField(_("action taken"), blank=True)
    answer = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["branch", "status"], name="activity_question_branch")]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def history_model(cls):
        return QuestionStatusChange

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_pending and self.due_on < (today or timezone.localdate())


class QuestionStatusChange(StatusChange):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="history")

    class Meta(StatusChange.Meta):
        verbose_name = _("question change")
        verbose_name_plural = _("question changes")


# --- reporting upward ---------------------------------------------------------------------------------


class MonthlyReport(models.Model):
    """A branch's report of a month's activities to the organization above (定期向上级党组织报告)."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="activity_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    text = models.TextField(_("report"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    due_on = models.DateField(_("due on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    is_late = models.BooleanField(_("late"), default=False)
    amended_at = models.DateTimeField(_("amended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly activity report")
        verbose_name_plural = _("monthly activity reports")
        ordering = ["-month", "branch_id"]
        constraints = [models.UniqueConstraint(fields=["branch", "month"], name="activity_report_once")]

    def __str__(self) -> str:
        return f"{self.branch} · {self.month:%Y-%m}"


class ExcellentCase(StateMachineMixin):
    """优秀案例: an activity a higher organization marks as excellent and may publish for all to learn from."""

    class Status(models.TextChoices):
        MARKED = "marked", _("Marked")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.MARKED: {Status.PUBLISHED, Status.WITHDRAWN},
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.MARKED},
    }
    history_subject_field = "case"

    activity = models.OneToOneField(
        Activity, verbose_name=_("activity record"), on_delete=models.PROTECT, related_name="excellent_case"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("marked by organization"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The higher organization that highlights the case."),
    )
    title = models.CharField(_("title"), max_length=200)
    commendation = models.TextField(_("why it is excellent"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.MARKED)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("excellent case")
        verbose_name_plural = _("excellent cases")
        ordering = ["-marked_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def history_model(cls):
        return ExcellentCaseChange


class ExcellentCaseChange(StatusChange):
    case = models.ForeignKey(
        ExcellentCase, verbose_name=_("excellent case"), on_delete=models.CASCADE, related_name="history"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("excellent case change")
        verbose_name_plural = _("excellent case changes")


class ReminderSent(models.Model):
    """Keeps each periodic reminder to one sending, however often the task runs."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return self.key
