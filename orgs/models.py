from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Organization(MP_Node):
    """One node of the party organization tree (SPEC section 2), stored as a materialized path.

    A subtree is ``Organization.subtree_q(path)``: one indexed range scan, never a recursive walk.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        UNIT = "unit", _("Provincial unit")
        COMMITTEE = "committee", _("Party committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")
        GROUP = "group", _("Party group")

    # Which kinds may sit directly under which: the tree of SPEC section 2.
    CHILD_KINDS = {
        Kind.PROVINCE: {Kind.CITY, Kind.UNIT, Kind.COMMITTEE},
        Kind.CITY: {Kind.COUNTY, Kind.UNIT, Kind.COMMITTEE},
        Kind.COUNTY: {Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH, Kind.UNIT},
        Kind.UNIT: {Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH},
        Kind.COMMITTEE: {Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH},
        Kind.GENERAL_BRANCH: {Kind.BRANCH},
        Kind.BRANCH: {Kind.GROUP},
        Kind.GROUP: set(),
    }
    BRANCH_KINDS = (Kind.BRANCH, Kind.GENERAL_BRANCH)
    # Kinds whose organization department runs pools and fixes activity days.
    DEPARTMENT_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.UNIT)

    # Denormalized for cheap child lists and API output; services keep it equal to the path's parent.
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="child_orgs"
    )
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_("The name that is unique in the province, e.g. a county with its city."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=20, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [models.Index(fields=["kind", "path"], name="orgs_kind_path")]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in self.BRANCH_KINDS

    @classmethod
    def subtree_q(cls, path: str, field_path: str = "") -> Q:
        """A filter for the subtree at ``path`` (at ``field_path`` when filtering another model).

        Paths hold only [0-9A-Z], so the subtree is exactly the range from the path to its next
        sibling's path: every backend walks the path index for it (SQLite cannot use an index for a
        case-insensitive LIKE, and PostgreSQL cannot return a LIKE match in index order).
        """
        prefix = f"{field_path}__path" if field_path else "path"
        step = cls._str2int(path[-cls.steplen :]) + 1
        if len(cls._int2str(step)) > cls.steplen:  # the last possible sibling: no upper bound
            return Q(**{f"{prefix}__startswith": path})
        upper = cls._get_path(path, len(path) // cls.steplen, step)
        return Q(**{f"{prefix}__gte": path, f"{prefix}__lt": upper})

    def subtree(self):
        """This organization and everything below it."""
        return Organization.objects.filter(self.subtree_q(self.path))

    def ancestor_paths(self, *, include_self: bool = True) -> list[str]:
        last = self.depth if include_self else self.depth - 1
        return [self.path[: i * self.steplen] for i in range(1, last + 1)]

    def lineage(self, *, include_self: bool = True):
        """Ancestors from the root down (and this node), in one query."""
        return Organization.objects.filter(path__in=self.ancestor_paths(include_self=include_self)).order_by("depth")

    def nearest(self, *kinds: str):
        """The closest organization of one of ``kinds`` on the way up, this one included."""
        return self.lineage().filter(kind__in=kinds).order_by("-depth").first()

    def is_within(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class User(AbstractUser):
    """A person who logs in. Roles come from RoleAssignment; one person may hold several."""

    full_name = models.CharField(_("real name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization admin")
    SECRETARY = "secretary", _("Branch secretary")
    INSTRUCTOR = "instructor", _("Instructor")
    MEMBER = "member", _("Party member")


class RoleAssignment(models.Model):
    """A role that a user holds at an organization; the organization bounds what the role sees."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="orgs_role_unique"),
        ]
        indexes = [models.Index(fields=["role", "organization"], name="orgs_role_org")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class OrganizationWebhook(models.Model):
    """A group-chat robot that receives the notifications about one organization's subtree."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="webhooks"
    )
    endpoint = models.ForeignKey(
        "notifications.WebhookEndpoint", verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("organization webhook")
        verbose_name_plural = _("organization webhooks")
        constraints = [models.UniqueConstraint(fields=["organization", "endpoint"], name="orgs_webhook_unique")]

    def __str__(self) -> str:
        return f"{self.organization} → {self.endpoint}"
