"""The instructor pool (先锋师资库, SPEC section 3).

Pools belong to organization departments (province, cities, counties, units). An instructor belongs to
one pool and moves through an explicit state machine from recommendation to appointment; intake runs
through calls (师资征集), recommendations with the candidate's consent (推荐报名), reviews (审核评定) and
appointment with a numbered letter and a published roster document (组织聘任).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.crypto import EncryptedCharField, mask_phone
from orgs.fsm import StateMachineMixin, StatusChange
from orgs.models import Organization


class Level(models.TextChoices):
    """The level of a pool; an instructor's level is its pool's."""

    PROVINCE = "province", _("Provincial level")
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")
    UNIT = "unit", _("Unit level")


# Which organization kinds run which level of pool. Committees (a university's party committee, a
# large enterprise) may build unit-level pools "according to their own situation".
LEVEL_OF_KIND = {
    Organization.Kind.PROVINCE: Level.PROVINCE,
    Organization.Kind.CITY: Level.CITY,
    Organization.Kind.COUNTY: Level.COUNTY,
    Organization.Kind.UNIT: Level.UNIT,
    Organization.Kind.COMMITTEE: Level.UNIT,
}

# Quotas of the source: province and each city "100 人左右", each county "30—50 人左右".
DEFAULT_QUOTA = {
    Level.PROVINCE: (100, 100),
    Level.CITY: (100, 100),
    Level.COUNTY: (30, 50),
    Level.UNIT: (0, 30),
}


class Category(models.TextChoices):
    """The six categories of the source (师资主要分为 6 大类)."""

    THEORY = "theory", _("Theory and policy")
    ECONOMY = "economy", _("Economic development")
    HUMANITIES = "humanities", _("Humanities and social sciences")
    MANAGEMENT = "management", _("Comprehensive management")
    SKILLS = "skills", _("Skills and literacy")
    MODELS = "models", _("Advanced models")


class FeeGrade(models.TextChoices):
    """Grades that lecture fees follow (财行〔2013〕523号, 财行〔2016〕540号)."""

    ASSOCIATE_SENIOR = "associate_senior", _("Associate senior title")
    FULL_SENIOR = "full_senior", _("Full senior title")
    ACADEMICIAN = "academician", _("Academician or nationally renowned expert")
    OTHER = "other", _("Other lecturers")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Pool(models.Model):
    """One organization department's instructor pool, with its quota."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="instructor_pool"
    )
    name = models.CharField(_("pool name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    quota_min = models.PositiveIntegerField(
        _("target size"), help_text=_("The size the pool aims for; fewer is shown as under-filled.")
    )
    quota_max = models.PositiveIntegerField(
        _("maximum size"), help_text=_("Appointments beyond it need an override with a reason.")
    )
    doc_prefix = models.CharField(
        _("document prefix"),
        max_length=40,
        help_text=_("Starts the numbers of appointment letters and roster documents, e.g. 苏组师资."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("instructor pool")
        verbose_name_plural = _("instructor pools")
        constraints = [
            models.CheckConstraint(condition=Q(quota_max__gte=models.F("quota_min")), name="pool_quota_range"),
        ]

    def __str__(self) -> str:
        return self.name


class SubArea(models.Model):
    """A second-level tag inside a category (区域经济, 产业经济 …), seeded from the source's lists."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("sub-area"), max_length=40)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words that suggest this sub-area in topics and bios, one per line.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sub-area")
        verbose_name_plural = _("sub-areas")
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="pool_subarea_unique")]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [w.strip() for w in self.keywords.splitlines() if w.strip()]


class Instructor(StateMachineMixin, models.Model):
    """A person in a pool (or on the way into one)."""

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        APPOINTED = "appointed", _("Appointed (active)")
        SUSPENDED = "suspended", _("Suspended")
        REMOVED = "removed", _("Removed from the pool")
        RESERVE = "reserve", _("Reserve")
        REJECTED = "rejected", _("Not selected")

    TRANSITIONS = {
        Status.RECOMMENDED: {Status.UNDER_REVIEW, Status.REJECTED},
        Status.UNDER_REVIEW: {Status.APPROVED, Status.RESERVE, Status.REJECTED},
        Status.APPROVED: {Status.APPOINTED, Status.RESERVE},
        Status.APPOINTED: {Status.SUSPENDED, Status.REMOVED},
        Status.SUSPENDED: {Status.APPOINTED, Status.REMOVED},
        Status.RESERVE: {Status.APPOINTED, Status.REMOVED},
        Status.REMOVED: set(),
        Status.REJECTED: set(),
    }
    # Statuses that hold one of the pool's seats (a suspension is temporary: the seat stays taken).
    SEAT_STATUSES = (Status.APPOINTED, Status.SUSPENDED)
    history_subject_field = "instructor"

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="instructors")
    code = models.CharField(
        _("instructor code"), max_length=30, unique=True, help_text=_("The stable code (编号) of the instructor.")
    )
    name = models.CharField(_("real name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    fee_grade = models.CharField(
        _("fee grade"), max_length=20, choices=FeeGrade.choices, default=FeeGrade.OTHER, db_index=True
    )
    is_party_member = models.BooleanField(_("party member"), default=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    sub_areas = models.ManyToManyField(SubArea, verbose_name=_("sub-areas"), blank=True, related_name="instructors")
    bio = models.TextField(_("biography"), blank=True)
    phone = EncryptedCharField(_("mobile phone"), blank=True)
    phone_hash = models.CharField(_("phone lookup hash"), max_length=64, blank=True, db_index=True, editable=False)
    email = EncryptedCharField(_("e-mail"), blank=True)
    service_area = models.CharField(
        _("service area"), max_length=200, blank=True, help_text=_("Where the instructor will teach, e.g. 全省.")
    )
    monthly_limit = models.PositiveSmallIntegerField(
        _("lectures per month at most"), default=4, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    agreement_date = models.DateField(_("agreement signed on"), null=True, blank=True)
    letter_number = models.CharField(_("appointment letter number"), max_length=60, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("log-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_profile",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECOMMENDED, db_index=True
    )
    lecture_count = models.PositiveIntegerField(_("lectures given"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["pool_id", "code"]
        indexes = [
            models.Index(fields=["pool", "status"], name="pool_instructor_pool_status"),
            models.Index(fields=["status", "category"], name="pool_instructor_status_cat"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_number"], condition=~Q(letter_number=""), name="pool_instructor_letter_unique"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="pool_instructor_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def history_model(cls):
        return InstructorStatusChange

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.APPOINTED

    @property
    def level(self) -> str:
        return self.pool.level

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class InstructorStatusChange(StatusChange):
    """One move of an instructor's status: who, when, why."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="status_changes"
    )
    override_reason = models.TextField(
        _("quota override reason"), blank=True, help_text=_("Why the appointment may exceed the pool's maximum.")
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("instructor status change")
        verbose_name_plural = _("instructor status changes")

    def __str__(self) -> str:
        return f"{self.instructor_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def from_status_label(self) -> str:
        return str(dict(Instructor.Status.choices).get(self.from_status, "—"))

    @property
    def to_status_label(self) -> str:
        return str(dict(Instructor.Status.choices).get(self.to_status, self.to_status))


class Topic(models.Model):
    """A lecture topic the instructor offers: a title and an abstract."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="topics"
    )
    title = models.CharField(_("topic title"), max_length=100)
    abstract = models.TextField(_("abstract"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("lecture topic")
        verbose_name_plural = _("lecture topics")
        ordering = ["instructor_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["instructor", "title"], name="pool_topic_unique_title")]

    def __str__(self) -> str:
        return self.title


class RatingSummary(models.Model):
    """An instructor's ratings for one year, written by the evaluation app through ``pool.services``."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="rating_summaries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("number of ratings"))
    mean = models.DecimalField(_("mean rating"), max_digits=4, decimal_places=2)
    shrunk_score = models.DecimalField(
        _("adjusted score"),
        max_digits=4,
        decimal_places=2,
        help_text=_("The mean pulled toward the pool's mean when there are few ratings."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rating summary")
        verbose_name_plural = _("rating summaries")
        ordering = ["instructor_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["instructor", "year"], name="pool_rating_once_a_year")]

    def __str__(self) -> str:
        return f"{self.instructor} · {self.year}"


class DocumentCounter(models.Model):
    """The last number given to a pool's letters or roster documents in one year."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Appointment letter")
        ROSTER = "roster", _("Roster document")
        CODE = "code", _("Instructor code")

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["pool", "kind", "year"], name="pool_counter_unique")]

    def __str__(self) -> str:
        return f"{self.pool} · {self.get_kind_display()} · {self.year}: {self.last}"


# --- intake ----------------------------------------------------------------------------------------


class Call(models.Model):
    """师资征集: an admin asks the units below for candidates in some categories by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for recommendations")
        CLOSED = "closed", _("Closed")

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("call title"), max_length=120)
    requirements = models.TextField(_("requirements"), blank=True)
    category_counts = models.JSONField(
        _("wanted per category"), default=dict, help_text=_("How many candidates are wanted in each category.")
    )
    deadline = models.DateField(_("deadline"))
    weight_basic = models.PositiveSmallIntegerField(_("weight of basic information"), default=30)
    weight_teaching = models.PositiveSmallIntegerField(_("weight of teaching ability"), default=40)
    weight_research = models.PositiveSmallIntegerField(_("weight of research and practice"), default=30)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), blank=True, related_name="pool_calls_to_review"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("call for instructors")
        verbose_name_plural = _("calls for instructors")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_basic__gt=0) | Q(weight_teaching__gt=0) | Q(weight_research__gt=0),
                name="pool_call_some_weight",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.deadline >= timezone.localdate()

    def wanted(self) -> list[tuple[str, int]]:
        """(category label, count) in the order of the categories."""
        return [
            (str(label), self.category_counts[value])
            for value, label in Category.choices
            if value in self.category_counts
        ]

    def combine(self, basic, teaching, research) -> Decimal:
        """The weighted mean of the three criteria's scores (means of the reviewers' scores)."""
        basic, teaching, research = (Decimal(str(x)) for x in (basic, teaching, research))
        total = self.weight_basic + self.weight_teaching + self.weight_research
        weighted = basic * self.weight_basic + teaching * self.weight_teaching + research * self.weight_research
        return (weighted / total).quantize(Decimal("0.01"))


class Recommendation(models.Model):
    """推荐报名: a unit's recommendation of a candidate against a call, with the candidate's consent."""

    class ConsentMethod(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed consent form")
        IN_PERSON = "in_person", _("Confirmed in person")
        ONLINE = "online", _("Confirmed by the candidate online")

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="recommendations")
    instructor = models.OneToOneField(
        Instructor, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="recommendation"
    )
    recommending_org = models.ForeignKey(
        Organization, verbose_name=_("recommending unit"), on_delete=models.PROTECT, related_name="+"
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recommended by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for the recommendation"), blank=True)
    consent_method = models.CharField(_("how the candidate consented"), max_length=20, choices=ConsentMethod.choices)
    consent_date = models.DateField(_("consent given on"))
    decision_score = models.DecimalField(
        _("combined score at the decision"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("recommended at"), default=timezone.now)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.call} · {self.instructor.name}"


class Review(models.Model):
    """审核评定: one reviewer's scores (0–100) of a candidate's basic information, teaching, research."""

    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("recommendation"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    score_basic = models.PositiveSmallIntegerField(
        _("basic information"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    score_teaching = models.PositiveSmallIntegerField(
        _("teaching ability"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    score_research = models.PositiveSmallIntegerField(
        _("research or practice results"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "reviewer"], name="pool_review_once_per_reviewer"),
            models.CheckConstraint(
                condition=Q(score_basic__lte=100) & Q(score_teaching__lte=100) & Q(score_research__lte=100),
                name="pool_review_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.reviewer}"


# --- rosters ---------------------------------------------------------------------------------------


class RosterVersion(models.Model):
    """组织聘任 · 以文件形式公布: a numbered publication of a pool's active instructors."""

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="roster_versions")
    version = models.PositiveIntegerField(_("version"))
    number = models.CharField(_("document number"), max_length=80, unique=True)
    title = models.CharField(_("document title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    size = models.PositiveIntegerField(_("instructors listed"), default=0)
    added_count = models.PositiveIntegerField(_("added"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)

    class Meta:
        verbose_name = _("roster version")
        verbose_name_plural = _("roster versions")
        ordering = ["pool_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["pool", "version"], name="pool_roster_version_unique")]

    def __str__(self) -> str:
        return self.number


class RosterEntry(models.Model):
    """One line of a roster version, as published: a snapshot that later edits do not change."""

    class Change(models.TextChoices):
        ADDED = "added", _("Added")
        KEPT = "kept", _("Kept")
        REMOVED = "removed", _("Removed")

    roster = models.ForeignKey(
        RosterVersion, verbose_name=_("roster version"), on_delete=models.CASCADE, related_name="entries"
    )
    instructor = models.ForeignKey(Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT, related_name="+")
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    code = models.CharField(_("instructor code"), max_length=30)
    name = models.CharField(_("real name"), max_length=50)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    topics = models.TextField(_("topics"), blank=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["roster_id", "category", "code"]
        constraints = [models.UniqueConstraint(fields=["roster", "instructor"], name="pool_roster_entry_unique")]

    def __str__(self) -> str:
        return f"{self.roster} · {self.name}"


# --- the instructor's voice ------------------------------------------------------------------------


class Suggestion(models.Model):
    """师资的权利: an instructor's suggestion on teaching or management, answered by the pool's admin."""

    class About(models.TextChoices):
        TEACHING = "teaching", _("Teaching")
        MANAGEMENT = "management", _("Management")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("instructor"), on_delete=models.CASCADE, related_name="suggestions"
    )
    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.CASCADE, related_name="suggestions")
    about = models.CharField(_("about"), max_length=20, choices=About.choices)
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField(_("suggestion"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pool", "status"], name="pool_suggestion_pool_status")]

    def __str__(self) -> str:
        return self.subject


# The recommender's freshness stamps live in its own package (pool/recommender/models.py).
from .recommender.models import IndexChange, IndexVersion  # noqa: E402, F401
