"""Booking (网上预约, 双向选择; SPEC section 4).

A branch asks for a lecture: addressed to one instructor, or posted open for the instructors whose
topics fit, who answer it; the branch then picks one answer. Instructors keep a schedule (weekly
availability, blocked dates, a monthly limit). No instructor ever holds two confirmed lectures that
overlap: a PostgreSQL exclusion constraint here, triggers on SQLite (``booking.dbguard``), and the
services check and lock before they write. Lecture fees follow versioned fee standards.
"""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.crypto import EncryptedCharField, mask_phone
from orgs.fsm import StateMachineMixin, StatusChange
from orgs.models import Organization
from pool.models import Category, FeeGrade, Instructor

# --- fee standards ---------------------------------------------------------------------------------


class FeeStandard(models.Model):
    """A version of the lecture fee rules (财行〔2013〕523号, 财行〔2016〕540号 …), in force from a date."""

    class Unit(models.TextChoices):
        HALF_DAY = "half_day", _("per half day")
        CLASS_HOUR = "class_hour", _("per class hour")

    number = models.CharField(_("document number"), max_length=60, unique=True)
    title = models.CharField(_("document title"), max_length=120)
    effective_from = models.DateField(_("in force from"), unique=True)
    unit = models.CharField(_("paid"), max_length=12, choices=Unit.choices)
    max_hours_per_half_day = models.PositiveSmallIntegerField(
        _("class hours counted per half day at most"),
        null=True,
        blank=True,
        help_text=_("Only for standards paid per class hour; empty: no cap."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.number


class FeeRate(models.Model):
    """The after-tax amount one fee grade is paid per unit of a standard (元)."""

    standard = models.ForeignKey(
        FeeStandard, verbose_name=_("fee standard"), on_delete=models.CASCADE, related_name="rates"
    )
    grade = models.CharField(_("fee grade"), max_length=20, choices=FeeGrade.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")
        ordering = ["standard", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "grade"], name="booking_fee_rate_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="booking_fee_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.standard} · {self.get_grade_display()} · {self.amount}"


# --- bookings --------------------------------------------------------------------------------------


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only.

    SQLite has no exclusion constraints: there triggers give the same guarantee (``booking.dbguard``),
    so on other backends this constraint writes no SQL and validates nothing.
    """

    def _on_postgresql(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._on_postgresql(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._on_postgresql(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._on_postgresql(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class Booking(StateMachineMixin, models.Model):
    """A lecture request of a branch and, once accepted, the lecture itself.

    Stable for the apps above (activity links a record to it, evaluation rates it): the model name,
    ``branch``, ``instructor``, ``starts_at``/``ends_at``, ``status`` and ``Status.DELIVERED``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open for answers")
        REQUESTED = "requested", _("Awaiting the instructor")
        PROPOSED = "proposed", _("Another time proposed")
        ACCEPTED = "accepted", _("Accepted")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Addressed to one instructor")
        OPEN = "open", _("Open request")

    class Mode(models.TextChoices):
        ONSITE = "onsite", _("On site")
        ONLINE = "online", _("Online")

    TRANSITIONS = {
        Status.OPEN: {Status.ACCEPTED, Status.CANCELLED, Status.EXPIRED},
        Status.REQUESTED: {Status.ACCEPTED, Status.DECLINED, Status.PROPOSED, Status.CANCELLED, Status.EXPIRED},
        Status.PROPOSED: {Status.ACCEPTED, Status.REQUESTED, Status.DECLINED, Status.CANCELLED, Status.EXPIRED},
        Status.ACCEPTED: {Status.DELIVERED, Status.CANCELLED},
        Status.DELIVERED: set(),
        Status.DECLINED: set(),
        Status.CANCELLED: set(),
        Status.EXPIRED: set(),
    }
    # A confirmed lecture blocks the instructor's time; these are the statuses the database guards.
    CONFIRMED = (Status.ACCEPTED, Status.DELIVERED)
    # Waiting for someone's answer; they expire when nobody answers in time.
    AWAITING = (Status.OPEN, Status.REQUESTED, Status.PROPOSED)
    CLOSED = (Status.DELIVERED, Status.DECLINED, Status.CANCELLED, Status.EXPIRED)
    history_subject_field = "booking"

    branch = models.ForeignKey(
        Organization, verbose_name=_("requesting branch"), on_delete=models.PROTECT, related_name="bookings"
    )
    instructor = models.ForeignKey(
        Instructor,
        verbose_name=_("instructor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        help_text=_("Empty while an open request waits for the branch to pick an answer."),
    )
    kind = models.CharField(_("kind of request"), max_length=10, choices=Kind.choices, default=Kind.DIRECT)
    topic = models.CharField(_("lecture topic"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    description = models.TextField(_("what the branch needs"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    class_hours = models.PositiveSmallIntegerField(_("class hours"))
    mode = models.CharField(_("form"), max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    place = models.CharField(_("place or meeting link"), max_length=200, blank=True)
    audience_size = models.PositiveIntegerField(_("audience size"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    respond_by = models.DateTimeField(_("answer due by"), null=True, blank=True)
    closing_reason = models.TextField(_("reason given"), blank=True)
    fee_standard = models.ForeignKey(
        FeeStandard, verbose_name=_("fee standard"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_rate = models.DecimalField(_("fee per unit (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    fee_units = models.PositiveSmallIntegerField(_("units paid"), null=True, blank=True)
    fee_amount = models.DecimalField(_("lecture fee (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    delivered_at = models.DateTimeField(_("confirmed as delivered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("calendar revision"), default=0, help_text=_("Raised when the time changes, for calendar clients.")
    )

    class Meta:
        verbose_name = _("lecture booking")
        verbose_name_plural = _("lecture bookings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["instructor", "status", "starts_at"], name="booking_instr_status_start"),
            models.Index(fields=["branch", "status"], name="booking_branch_status"),
            models.Index(fields=["status", "respond_by"], name="booking_status_respond_by"),
            models.Index(fields=["status", "starts_at"], name="booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(class_hours__gte=1), name="booking_class_hours_positive"),
            models.CheckConstraint(
                condition=Q(instructor__isnull=False) | Q(kind="open", status__in=["open", "cancelled", "expired"]),
                name="booking_instructor_unless_open",
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlapping_lectures",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("instructor", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["accepted", "delivered"]),
                violation_error_message=_("The instructor already holds a confirmed lecture at that time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}（{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}）"

    @classmethod
    def history_model(cls):
        return BookingStatusChange

    @property
    def is_open_request(self) -> bool:
        return self.kind == self.Kind.OPEN

    @property
    def is_confirmed(self) -> bool:
        return self.status in self.CONFIRMED

    @property
    def local_date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone) if self.contact_phone else ""


class BookingStatusChange(StatusChange):
    """One move of a booking: who, when, why."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("lecture booking"), on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def from_status_label(self) -> str:
        return str(dict(Booking.Status.choices).get(self.from_status, "—"))

    @property
    def to_status_label(self) -> str:
        return str(dict(Booking.Status.choices).get(self.to_status, self.to_status))


class TimeProposal(models.Model):
    """The instructor's "another time, please", which the branch accepts or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the branch")
        ACCEPTED = "accepted", _("Accepted by the branch")
        REFUSED = "refused", _("Refused by the branch")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    booking = models.ForeignKey(
        Booking, verbose_name=_("lecture booking"), on_delete=models.CASCADE, related_name="proposals"
    )
    starts_at = models.DateTimeField(_("proposed start"))
    ends_at = models.DateTimeField(_("proposed end"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("answered by the branch at"), null=True, blank=True)
    decision_note = models.TextField(_("the branch's note"), blank=True)

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ["booking_id", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_proposal_order"),
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="pending"), name="booking_one_pending_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class OpenAnswer(models.Model):
    """An instructor's offer to give an open request's lecture (双向选择: the branch picks one)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        PICKED = "picked", _("Picked")
        NOT_PICKED = "not_picked", _("Not picked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    booking = models.ForeignKey(
        Booking, verbose_name=_("open request"), on_delete=models.CASCADE, related_name="answers"
    )
    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="open_answers"
    )
    note = models.TextField(_("message to the branch"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OFFERED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer to an open request")
        verbose_name_plural = _("answers to open requests")
        ordering = ["booking_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["booking", "instructor"], name="booking_answer_once")]

    def __str__(self) -> str:
        return f"{self.booking_id} · {self.instructor_id}"


# --- instructor schedules --------------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyAvailability(models.Model):
    """A recurring window in which the instructor takes lectures (e.g. every Tuesday 14:00–17:30).

    An instructor without any window has not restricted the week: every time counts as available.
    """

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="weekly_availability"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["instructor_id", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="booking_window_order"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="booking_window_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class BlockedPeriod(models.Model):
    """Days on which the instructor takes no lecture (travel, teaching elsewhere …)."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="blocked_periods"
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked dates")
        verbose_name_plural = _("blocked dates")
        ordering = ["instructor_id", "first_day"]
        indexes = [models.Index(fields=["instructor", "first_day", "last_day"], name="booking_blocked_range")]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="booking_blocked_order")
        ]

    def __str__(self) -> str:
        return f"{self.first_day} – {self.last_day}"


class CalendarFeed(models.Model):
    """The secret address of an instructor's private iCalendar feed; a new token revokes the old one."""

    instructor = models.OneToOneField(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("secret token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.instructor)
