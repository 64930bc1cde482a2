"""Party members, probation, activists, and the two-way co-management of mobile members (SPEC section 8).

ID numbers and phone numbers are sensitive personal information: stored encrypted
(``orgs.crypto.EncryptedCharField``) with a keyed hash beside them for lookup and uniqueness, and shown
masked everywhere except a reveal, which is audited (``PersonalDataAccess``).
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.crypto import EncryptedCharField, keyed_hash, mask_id_number, mask_phone
from orgs.fsm import StateMachineMixin, StatusChange
from orgs.models import Organization

PROBATION_MONTHS = 12
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12


def lookup_hash(value: str) -> str:
    """The keyed hash of a personal value (``orgs.crypto.keyed_hash``, base64, no digit runs)."""
    return keyed_hash(value)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer days (Feb 29 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PersonalDataMixin(models.Model):
    """An encrypted ID number and phone with their lookup hashes and masked forms."""

    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = models.CharField(_("ID number lookup hash"), max_length=64, editable=False)
    phone = EncryptedCharField(_("mobile phone"), blank=True)
    phone_hash = models.CharField(_("phone lookup hash"), max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def set_personal_data(self, *, id_number: str | None = None, phone: str | None = None) -> None:
        """Set the plain values and their hashes together (never assign the fields alone)."""
        if id_number is not None:
            self.id_number = id_number
            self.id_number_hash = lookup_hash(id_number)
        if phone is not None:
            self.phone = phone
            self.phone_hash = lookup_hash(phone) if phone else ""

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class DuesCategory(models.TextChoices):
    """The income bracket the records app computes monthly dues from (中组部 2008 rules)."""

    EMPLOYED = "employed", _("Employed (after-tax monthly pay)")
    RETIREE = "retiree", _("Retiree (monthly pension)")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    LOW_INCOME = "low_income", _("Receiving minimum living allowance (低保)")


class Member(StateMachineMixin, PersonalDataMixin):
    """A party member (full or probationary) of one branch; the branch keeps the membership even while
    the member is away as a mobile member."""

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("Probationary member")
        FULL = "full", _("Full member")

    class LeftReason(models.TextChoices):
        TRANSFERRED = "transferred", _("Membership transferred elsewhere")
        DECEASED = "deceased", _("Deceased")
        PROBATION_CANCELLED = "probation_cancelled", _("Probationary membership cancelled")
        REMOVED = "removed", _("Removed from the party")

    TRANSITIONS = {Status.PROBATIONARY: {Status.FULL}}
    history_subject_field = "member"

    branch = models.ForeignKey(
        Organization,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind__in": Organization.BRANCH_KINDS},
    )
    group = models.ForeignKey(
        Organization,
        verbose_name=_("party group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        limit_choices_to={"kind": Organization.Kind.GROUP},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    joined_on = models.DateField(_("date of joining"), help_text=_("The date of the branch meeting's vote."))
    status = models.CharField(_("membership"), max_length=20, choices=Status.choices, default=Status.FULL)
    full_since = models.DateField(_("full member since"), null=True, blank=True)
    is_leading_cadre = models.BooleanField(
        _("leading cadre"),
        default=False,
        help_text=_("党员领导干部: keeps dual organizational life and gives a party lecture every year."),
    )
    records_exempt = models.BooleanField(
        _("exempt from record keeping"),
        default=False,
        editable=False,
        help_text=_("Set only by an approved exemption (年老多病、身体残疾)."),
    )
    dues_category = models.CharField(
        _("dues category"), max_length=20, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED
    )
    monthly_income = models.DecimalField(
        _("monthly income (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("After-tax regular monthly pay, or the monthly pension of a retiree; the base of the dues."),
    )
    left_on = models.DateField(_("left on"), null=True, blank=True, db_index=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=30, choices=LeftReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["branch_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="members_member_id_number_unique"),
        ]
        indexes = [models.Index(fields=["branch", "left_on"], name="members_branch_active")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def history_model(cls):
        return MemberStatusChange

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    def was_member_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class MemberStatusChange(StatusChange):
    member = models.ForeignKey(Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="history")

    class Meta(StatusChange.Meta):
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")


class Probation(StateMachineMixin):
    """预备期: one year from the branch meeting's vote; converted on time, extended once by 6–12 months,
    or cancelled — each by a branch meeting and the approval of the party committee above."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("In probation")
        EXTENDED = "extended", _("Probation extended")
        CONVERTED = "converted", _("Converted to full member")
        CANCELLED = "cancelled", _("Probation cancelled")

    TRANSITIONS = {
        Status.ONGOING: {Status.CONVERTED, Status.EXTENDED, Status.CANCELLED},
        Status.EXTENDED: {Status.CONVERTED, Status.CANCELLED},
    }
    OPEN = (Status.ONGOING, Status.EXTENDED)
    history_subject_field = "probation"

    member = models.OneToOneField(
        Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="probation"
    )
    starts_on = models.DateField(_("probation starts"), help_text=_("The date of the branch meeting's vote."))
    ends_on = models.DateField(_("probation ends"), db_index=True)
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ONGOING)

    class Meta:
        verbose_name = _("probation")
        verbose_name_plural = _("probations")
        ordering = ["ends_on", "id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"

    @classmethod
    def history_model(cls):
        return ProbationStatusChange

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ProbationStatusChange(StatusChange):
    probation = models.ForeignKey(
        Probation, verbose_name=_("probation"), on_delete=models.CASCADE, related_name="history"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("probation change")
        verbose_name_plural = _("probation changes")


class ProbationDecision(models.Model):
    """A branch meeting's decision on a probation, effective only once the committee above approves."""

    class Outcome(models.TextChoices):
        CONVERT = "convert", _("Convert to full member")
        EXTEND = "extend", _("Extend probation")
        CANCEL = "cancel", _("Cancel probationary membership")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    probation = models.ForeignKey(
        Probation, verbose_name=_("probation"), on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), null=True, blank=True)
    meeting_on = models.DateField(_("branch meeting date"))
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    meeting_notes = models.TextField(_("meeting record"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    approving_org = models.ForeignKey(
        Organization,
        verbose_name=_("approving organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    approval_ref = models.CharField(_("approval document number"), max_length=100, blank=True)
    approval_notes = models.TextField(_("approval remarks"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("probation decision")
        verbose_name_plural = _("probation decisions")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["probation"], condition=Q(state="proposed"), name="members_one_open_probation_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.probation.member} · {self.get_outcome_display()} · {self.get_state_display()}"


class RecordExemption(models.Model):
    """不纳入记实管理: a member who cannot take part in organizational life (年老多病、身体残疾), with approval."""

    class Reason(models.TextChoices):
        ELDERLY_ILL = "elderly_ill", _("Old age and illness")
        DISABLED = "disabled", _("Physical disability")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        REVOKED = "revoked", _("Revoked")

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="exemptions"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_notes = models.TextField(_("decision remarks"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("record-keeping exemption")
        verbose_name_plural = _("record-keeping exemptions")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state__in=["requested", "approved"]), name="members_one_live_exemption"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_reason_display()} · {self.get_state_display()}"


class Activist(StateMachineMixin, PersonalDataMixin):
    """入党积极分子 and 发展对象: kept apart from members; activities may invite them."""

    class Stage(models.TextChoices):
        ACTIVIST = "activist", _("Activist")
        CANDIDATE = "candidate", _("Candidate for admission")
        ADMITTED = "admitted", _("Admitted as probationary member")
        DROPPED = "dropped", _("No longer cultivated")

    TRANSITIONS = {
        Stage.ACTIVIST: {Stage.CANDIDATE, Stage.DROPPED},
        Stage.CANDIDATE: {Stage.ADMITTED, Stage.DROPPED, Stage.ACTIVIST},
    }
    OPEN = (Stage.ACTIVIST, Stage.CANDIDATE)
    history_subject_field = "activist"

    branch = models.ForeignKey(
        Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="activists"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activist",
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    applied_on = models.DateField(_("application submitted"))
    activist_since = models.DateField(_("activist since"))
    candidate_since = models.DateField(_("candidate since"), null=True, blank=True)
    mentors = models.CharField(_("cultivation contacts"), max_length=100, blank=True)
    status = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.ACTIVIST)
    member = models.OneToOneField(
        Member,
        verbose_name=_("member record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activist_record",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activist or candidate")
        verbose_name_plural = _("activists and candidates")
        ordering = ["branch_id", "status", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="members_activist_id_number_unique")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def history_model(cls):
        return ActivistStageChange


class ActivistStageChange(StatusChange):
    activist = models.ForeignKey(Activist, verbose_name=_("activist"), on_delete=models.CASCADE, related_name="history")

    class Meta(StatusChange.Meta):
        verbose_name = _("activist stage change")
        verbose_name_plural = _("activist stage changes")

    @property
    def to_label(self) -> str:
        return Activist.Stage(self.to_status).label


class PersonalDataAccess(models.Model):
    """One row per look at a full ID or phone number, or per export carrying them: who, why, when."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        PHONE = "phone", _("mobile phone")
        ROSTER = "roster", _("roster with full values")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    activist = models.ForeignKey(
        Activist, verbose_name=_("activist"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The branch whose data was read (for an export, the organization exported)."),
    )
    field = models.CharField(_("data"), max_length=20, choices=Field.choices)
    reason = models.CharField(_("reason"), max_length=200)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} · {self.get_field_display()} · {self.created_at:%Y-%m-%d %H:%M}"


# --- mobile members: two-way co-management --------------------------------------------------------


class MobileMembership(StateMachineMixin):
    """流动党员: a member away from the branch, co-managed by the outflow and the inflow branch.

    registered-outflow (the outflow branch issued the 《流动党员活动证》) → registered-at-inflow (the
    inflow branch verified the certificate and placed the member) → returned (the outflow branch
    verified the certificate and the member's conduct while away). A member who moves on goes back to
    registered-outflow with the next inflow branch.
    """

    class Status(models.TextChoices):
        OUTFLOW = "outflow", _("Registered as outflowing")
        REGISTERED = "registered", _("Registered at the inflow branch")
        RETURNED = "returned", _("Returned")

    TRANSITIONS = {
        Status.OUTFLOW: {Status.REGISTERED, Status.RETURNED},
        Status.REGISTERED: {Status.RETURNED, Status.OUTFLOW},
    }
    OPEN = (Status.OUTFLOW, Status.REGISTERED)
    history_subject_field = "membership"

    member = models.ForeignKey(
        Member, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="mobile_memberships"
    )
    outflow_branch = models.ForeignKey(
        Organization, verbose_name=_("outflow branch"), on_delete=models.PROTECT, related_name="mobile_outflows"
    )
    inflow_branch = models.ForeignKey(
        Organization,
        verbose_name=_("inflow branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mobile_inflows",
        help_text=_("Before registration: the branch the member is expected at, when known."),
    )
    inflow_group = models.ForeignKey(
        Organization,
        verbose_name=_("inflow party group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    destination = models.CharField(_("destination"), max_length=200, help_text=_("Where the member works or lives."))
    reason = models.CharField(_("reason for going out"), max_length=200, blank=True)
    certificate_number = models.CharField(_("mobile member certificate number"), max_length=40, unique=True)
    certificate_issuer = models.ForeignKey(
        Organization,
        verbose_name=_("numbered by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county (or higher) organization department that numbered the certificate."),
    )
    certificate_issued_on = models.DateField(_("certificate issued"))
    certificate_valid_until = models.DateField(_("certificate valid until"))
    left_on = models.DateField(_("went out on"))
    pre_departure_talk = models.TextField(_("pre-departure education"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OUTFLOW)
    registered_on = models.DateField(_("registered at inflow on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_certificate_checked = models.BooleanField(_("certificate checked on return"), default=False)
    return_conduct = models.TextField(_("conduct while away"), blank=True)
    return_org_life = models.TextField(_("organizational life while away"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mobile membership")
        verbose_name_plural = _("mobile memberships")
        ordering = ["-left_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status__in=["outflow", "registered"]), name="members_one_open_mobility"
            )
        ]
        indexes = [
            models.Index(fields=["outflow_branch", "status"], name="members_mobile_out"),
            models.Index(fields=["inflow_branch", "status"], name="members_mobile_in"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.certificate_number}"

    @classmethod
    def history_model(cls):
        return MobileStatusChange

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CertificateSequence(models.Model):
    """The last 《流动党员活动证》 number a county organization department gave out in a year."""

    issuer = models.ForeignKey(Organization, verbose_name=_("numbered by"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate numbering")
        verbose_name_plural = _("certificate numbering")
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="members_certificate_sequence")]

    def __str__(self) -> str:
        return f"{self.issuer} · {self.year} · {self.last_number}"


class MobileStatusChange(StatusChange):
    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="history"
    )
    inflow_branch = models.ForeignKey(
        Organization, verbose_name=_("inflow branch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("mobile membership change")
        verbose_name_plural = _("mobile membership changes")

    @property
    def to_label(self) -> str:
        return MobileMembership.Status(self.to_status).label


class MobileContact(models.Model):
    """The outflow branch's contact with a member away: at least once a quarter."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        MESSAGE = "message", _("WeChat, QQ or text message")
        VISIT = "visit", _("Visit in person")
        LETTER = "letter", _("Letter or e-mail")
        VIA_INFLOW = "via_inflow", _("Through the inflow branch")

    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="contacts"
    )
    contacted_on = models.DateField(_("contact date"), db_index=True)
    method = models.CharField(_("way of contact"), max_length=20, choices=Method.choices)
    reached = models.BooleanField(_("reached the member"), default=True)
    situation = models.TextField(_("thinking, work and life"), blank=True)
    matters_notified = models.TextField(_("matters notified"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mobile member contact")
        verbose_name_plural = _("mobile member contacts")
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["membership", "contacted_on"], name="members_contact_when")]

    def __str__(self) -> str:
        return f"{self.membership.member} · {self.contacted_on}"


class MobileNotice(models.Model):
    """A notice one branch sends the other about a mobile member (定期联系通报)."""

    class Side(models.TextChoices):
        OUTFLOW = "outflow", _("Outflow branch")
        INFLOW = "inflow", _("Inflow branch")

    class Kind(models.TextChoices):
        SITUATION = "situation", _("Regular report")
        IMPORTANT = "important", _("Important party matter")
        ELECTION = "election", _("Party election or major activity")
        RELOCATION = "relocation", _("Change of workplace or residence")
        MAJOR = "major", _("Major situation")
        PROBATION = "probation", _("Probation and conversion")

    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="notices"
    )
    from_side = models.CharField(_("sent by"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SITUATION)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("content"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-management notice")
        verbose_name_plural = _("co-management notices")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class MobileParticipation(models.Model):
    """What the inflow branch records for a mobile member: organizational life, dues, other activities
    (即时记入《活动证》)."""

    class Kind(models.TextChoices):
        ORG_LIFE = "org_life", _("Organizational life")
        DUES = "dues", _("Party dues paid")
        ACTIVITY = "activity", _("Other activity")

    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="participations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    dues_amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    dues_month = models.DateField(_("dues for month"), null=True, blank=True, help_text=_("First day of the month."))
    source = models.CharField(
        _("source"), max_length=60, blank=True, help_text=_("What recorded it, e.g. an activity day's attendance.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mobile member participation")
        verbose_name_plural = _("mobile member participations")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.membership.member} · {self.get_kind_display()} · {self.occurred_on}"


class ProbationFeedback(models.Model):
    """The inflow branch's written feedback on a probationary mobile member whose year ends."""

    class Opinion(models.TextChoices):
        CONVERT = "convert", _("Convert on time")
        EXTEND = "extend", _("Extend probation")
        CANCEL = "cancel", _("Cancel probationary membership")

    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="feedback"
    )
    probation = models.ForeignKey(
        Probation, verbose_name=_("probation"), on_delete=models.CASCADE, related_name="feedback"
    )
    conduct = models.TextField(_("conduct during probation"))
    opinion = models.CharField(_("opinion on conversion"), max_length=10, choices=Opinion.choices)
    written_on = models.DateField(_("written on"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("probation feedback from the inflow branch")
        verbose_name_plural = _("probation feedback from inflow branches")
        ordering = ["-written_on", "-id"]

    def __str__(self) -> str:
        return f"{self.membership.member} · {self.get_opinion_display()}"


class MobileCensus(models.Model):
    """排查: a yearly snapshot of every mobile member flowing out of or into an organization's subtree."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="mobile_censuses"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    taken_on = models.DateField(_("taken on"))
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outflow_count = models.PositiveIntegerField(_("flowing out"), default=0)
    inflow_count = models.PositiveIntegerField(_("flowing in"), default=0)
    flagged_count = models.PositiveIntegerField(_("needing attention"), default=0)

    class Meta:
        verbose_name = _("mobile member census")
        verbose_name_plural = _("mobile member censuses")
        ordering = ["-year", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="members_census_once_a_year")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year}"


class MobileCensusEntry(models.Model):
    """One mobile member as the census found them (a snapshot: later changes do not alter it)."""

    class Direction(models.TextChoices):
        OUT = "out", _("Flowing out")
        IN = "in", _("Flowing in")

    census = models.ForeignKey(MobileCensus, verbose_name=_("census"), on_delete=models.CASCADE, related_name="entries")
    membership = models.ForeignKey(
        MobileMembership, verbose_name=_("mobile membership"), on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    member_name = models.CharField(_("name"), max_length=50)
    member_status = models.CharField(_("membership"), max_length=20, choices=Member.Status.choices)
    outflow_branch_name = models.CharField(_("outflow branch"), max_length=200)
    inflow_branch_name = models.CharField(_("inflow branch"), max_length=200, blank=True)
    destination = models.CharField(_("destination"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=MobileMembership.Status.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    no_contact = models.BooleanField(_("no contact"), default=False)
    whereabouts_unknown = models.BooleanField(_("whereabouts unknown"), default=False)
    not_registered = models.BooleanField(_("not registered at an inflow branch"), default=False)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        ordering = ["census_id", "direction", "outflow_branch_name", "member_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["census", "membership", "direction"], name="members_census_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.census} · {self.member_name}"

    @property
    def is_flagged(self) -> bool:
        return self.no_contact or self.whereabouts_unknown or self.not_registered


class Partnership(models.Model):
    """共管协议 between party committees or departments, or 结对共建 between basic-level organizations,
    of the outflow and the inflow side."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Co-management agreement")
        PAIRING = "pairing", _("Pairing for joint building")

    class State(models.TextChoices):
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    outflow_org = models.ForeignKey(
        Organization, verbose_name=_("outflow-side organization"), on_delete=models.PROTECT, related_name="+"
    )
    inflow_org = models.ForeignKey(
        Organization, verbose_name=_("inflow-side organization"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"))
    duties = models.TextField(_("duties of each side"), blank=True)
    targets = models.TextField(_("goals, tasks and methods"), blank=True)
    safeguards = models.TextField(_("safeguards"), blank=True)
    review_interval_months = models.PositiveSmallIntegerField(_("review every (months)"), default=6)
    next_review_on = models.DateField(_("next review"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("co-management agreement or pairing")
        verbose_name_plural = _("co-management agreements and pairings")
        ordering = ["next_review_on", "id"]

    def __str__(self) -> str:
        return self.title


class PartnershipReview(models.Model):
    """定期会商: one review meeting of an agreement or pairing."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("agreement or pairing"), on_delete=models.CASCADE, related_name="reviews"
    )
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership} · {self.held_on}"


class ReminderSent(models.Model):
    """Keeps each periodic reminder to one sending, however often the task runs."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return self.key
