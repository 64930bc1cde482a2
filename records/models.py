"""Member records (记实管理, SPEC section 8): 一人一证、一事一记.

Each member whose records are kept holds a numbered 党员活动证. The branch writes one entry per event
(org-life attendance, dues, rewards and punishments, the role played with the 民主评议 grade); the member
confirms each entry or disputes it with a reason. A confirmed entry never changes and is never deleted:
the model, its queryset and the admin refuse, and a correction is a new entry that references it. Every
change is kept as a history row (who, when, what).

Dues follow the 2008 rules of the Central Organization Department on the member's dues category and
monthly income kept in ``members``; points (积分) turn confirmed entries into yearly tables per branch by
the rules of the committee above.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import Activity, Attendance
from members.models import Member
from orgs.errors import ConflictError
from orgs.fsm import StateMachineMixin, StatusChange
from orgs.models import Organization


class ConfirmedEntryImmutable(ConflictError):
    default_message = _("A confirmed entry never changes; record a correction instead.")

    def __init__(self, message=None):
        super().__init__(message, code="entry_confirmed")


class ActivityCard(models.Model):
    """党员活动证: numbered by a county-level organization department, stamped by the base committee, and
    registered, filled in and handed out by the branch."""

    member = models.OneToOneField(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="activity_card"
    )
    number = models.CharField(_("card number"), max_length=40, unique=True)
    numbered_by = models.ForeignKey(
        Organization,
        verbose_name=_("numbered by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organization department (county level or above) that issued the number."),
    )
    stamped_by = models.ForeignKey(
        Organization,
        verbose_name=_("stamped by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party committee whose seal the card bears."),
    )
    stamped_on = models.DateField(_("stamped on"))
    issued_by = models.ForeignKey(
        Organization, verbose_name=_("issued by branch"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("party member activity card")
        verbose_name_plural = _("party member activity cards")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} · {self.member}"


class AppraisalGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASIC = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Appraisal(models.Model):
    """民主评议: one grade per member per year."""

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="appraisals"
    )
    branch = models.ForeignKey(Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=20, choices=AppraisalGrade.choices)
    appraised_on = models.DateField(_("appraised on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("democratic appraisal")
        verbose_name_plural = _("democratic appraisals")
        ordering = ["-year", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="records_one_appraisal_a_year")]

    def __str__(self) -> str:
        return f"{self.member} · {self.year} · {self.get_grade_display()}"


class QuarterlyDuesApproval(models.Model):
    """The branch's approval for a member to pay dues by the quarter instead of monthly."""

    member = models.OneToOneField(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="quarterly_dues"
    )
    reason = models.CharField(_("reason"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("approved on"))

    class Meta:
        verbose_name = _("approval to pay dues quarterly")
        verbose_name_plural = _("approvals to pay dues quarterly")

    def __str__(self) -> str:
        return str(self.member)


class DuesPayment(models.Model):
    """One payment of dues covering one or more consecutive months (one 月 row each)."""

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    branch = models.ForeignKey(Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    first_month = models.DateField(_("first month"), help_text=_("The first day of the first month paid for."))
    months = models.PositiveSmallIntegerField(_("months"))
    monthly_amount = models.DecimalField(_("monthly dues (yuan)"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount paid (yuan)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-first_month", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.first_month:%Y-%m} × {self.months}"


class DuesMonth(models.Model):
    """One month paid for: a member pays each month once."""

    payment = models.ForeignKey(
        DuesPayment, verbose_name=_("dues payment"), on_delete=models.PROTECT, related_name="month_rows"
    )
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("month of dues paid")
        verbose_name_plural = _("months of dues paid")
        ordering = ["member_id", "month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="records_dues_month_once")]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.month:%Y-%m}"


class ArrearsReason(models.Model):
    """The branch's note of why a member has not paid (illness, hardship, whereabouts unknown ...):
    months with a reason up to ``until_month`` do not raise the six-month flag."""

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="arrears_reasons"
    )
    until_month = models.DateField(_("reason holds until month"))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reason for unpaid dues")
        verbose_name_plural = _("reasons for unpaid dues")
        ordering = ["-until_month", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.reason}"


class RecordEntryQuerySet(models.QuerySet):
    """Bulk writes that would touch a confirmed entry are refused like single ones."""

    def _refuse_confirmed(self):
        if self.filter(status=RecordEntry.Status.CONFIRMED).exists():
            raise ConfirmedEntryImmutable()

    def update(self, **kwargs):
        self._refuse_confirmed()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_confirmed()
        return super().delete()


class RecordEntry(StateMachineMixin):
    """一事一记: one event in a member's record, confirmed by the member."""

    class Kind(models.TextChoices):
        ORG_LIFE = "org_life", _("Organizational life")
        DUES = "dues", _("Party dues")
        MERIT = "merit", _("Reward or punishment")
        ROLE = "role", _("Role played")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Merit(models.TextChoices):
        REWARD = "reward", _("Reward")
        PUNISHMENT = "punishment", _("Punishment")

    TRANSITIONS = {
        Status.PENDING: {Status.CONFIRMED, Status.DISPUTED, Status.WITHDRAWN},
        Status.DISPUTED: {Status.PENDING, Status.WITHDRAWN},
    }
    OPEN = (Status.PENDING, Status.DISPUTED)
    history_subject_field = "entry"

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="record_entries"
    )
    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="record_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance_status = models.CharField(_("attendance"), max_length=10, choices=Attendance.Status.choices, blank=True)
    dues_payment = models.ForeignKey(
        DuesPayment,
        verbose_name=_("dues payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    dues_amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    dues_months = models.PositiveSmallIntegerField(_("months paid"), default=0)
    merit = models.CharField(_("reward or punishment"), max_length=10, choices=Merit.choices, blank=True)
    appraisal = models.ForeignKey(
        Appraisal,
        verbose_name=_("democratic appraisal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    appraisal_grade = models.CharField(_("appraisal grade"), max_length=20, choices=AppraisalGrade.choices, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    voids = models.BooleanField(
        _("cancels the entry"), default=False, help_text=_("A correction saying the corrected entry should not stand.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    dispute_reason = models.TextField(_("reason for dispute"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the entry was taken from an activity's attendance."),
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = RecordEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("record entry")
        verbose_name_plural = _("record entries")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=Q(kind="org_life", corrects__isnull=True),
                name="records_one_attendance_entry",
            ),
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(status__in=["pending", "disputed"]),
                name="records_one_open_correction",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="records_member_status"),
            models.Index(fields=["branch", "occurred_on"], name="records_branch_date"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.title}"

    @classmethod
    def history_model(cls):
        return RecordEntryChange

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = RecordEntry.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.CONFIRMED:
                raise ConfirmedEntryImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and RecordEntry.objects.filter(pk=self.pk, status=self.Status.CONFIRMED).exists():
            raise ConfirmedEntryImmutable()
        return super().delete(*args, **kwargs)


class RecordEntryChange(StatusChange):
    """History of an entry: created, amended (``changes`` holds old and new values), disputed, resolved,
    confirmed, withdrawn."""

    entry = models.ForeignKey(
        RecordEntry, verbose_name=_("record entry"), on_delete=models.CASCADE, related_name="history"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("record entry change")
        verbose_name_plural = _("record entry changes")


class PointItem(models.TextChoices):
    ORG_LIFE_PRESENT = "org_life_present", _("Organizational life: present")
    ORG_LIFE_EXCUSED = "org_life_excused", _("Organizational life: excused")
    ORG_LIFE_ABSENT = "org_life_absent", _("Organizational life: absent without reason")
    DUES_MONTH = "dues_month", _("Dues: each month paid")
    REWARD = "reward", _("Reward")
    PUNISHMENT = "punishment", _("Punishment")
    ROLE_EXCELLENT = "role_excellent", _("Role played: appraised excellent")
    ROLE_QUALIFIED = "role_qualified", _("Role played: appraised qualified")
    ROLE_BASIC = "role_basic", _("Role played: appraised basically qualified")
    ROLE_UNQUALIFIED = "role_unqualified", _("Role played: appraised unqualified")


class PointRule(models.Model):
    """积分 rule of a committee (or an organization above): points per entry of one item, with an optional
    yearly cap on what the item adds (or takes away) for one member. The branches below use the rules of
    the nearest organization above them that has any."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="point_rules"
    )
    item = models.CharField(_("item"), max_length=30, choices=PointItem.choices)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    yearly_cap = models.DecimalField(
        _("yearly cap"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The most this item adds to (or takes from) one member's points in a year."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["organization_id", "item"]
        constraints = [models.UniqueConstraint(fields=["organization", "item"], name="records_point_rule_once")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_item_display()}"


class PointTable(models.Model):
    """A branch's yearly points table; members of the branch see it once published."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="point_tables"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rules_from = models.ForeignKey(
        Organization,
        verbose_name=_("rules of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points table")
        verbose_name_plural = _("points tables")
        ordering = ["-year", "branch_id"]
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="records_point_table_once")]

    def __str__(self) -> str:
        return f"{self.branch} · {self.year}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PointScore(models.Model):
    table = models.ForeignKey(
        PointTable, verbose_name=_("points table"), on_delete=models.CASCADE, related_name="scores"
    )
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    rank = models.PositiveIntegerField(_("rank"), default=0)

    class Meta:
        verbose_name = _("points of a member")
        verbose_name_plural = _("points of members")
        ordering = ["rank", "member_id"]
        constraints = [models.UniqueConstraint(fields=["table", "member"], name="records_point_score_once")]

    def __str__(self) -> str:
        return f"{self.member} · {self.points}"
