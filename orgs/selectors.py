"""Reads of the organization tree, and the jurisdiction every other app scopes its querysets by.

An org admin sees the subtree of each organization it administers, a secretary the subtree of its
branch (the branch and its party groups), everyone else only their own data.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .models import Organization, Role, RoleAssignment, User

_CACHE_ATTR = "_orgs_jurisdiction"


def _covering(paths) -> tuple[str, ...]:
    """The fewest prefixes that cover ``paths``: a path below another kept one adds nothing."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def _paths_q(paths, field_path: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Organization.subtree_q(path, field_path)
    return q


@dataclass(frozen=True)
class Jurisdiction:
    """What one user may see, computed once per request from its active role assignments."""

    is_superuser: bool = False
    admin_paths: tuple[str, ...] = ()
    secretary_paths: tuple[str, ...] = ()
    roles: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[str, ...]:
        return _covering(self.admin_paths + self.secretary_paths)

    def has_role(self, role: str) -> bool:
        return self.is_superuser or bool(self.roles.get(role))

    def org_ids(self, role: str) -> tuple[int, ...]:
        return self.roles.get(role, ())

    def covers(self, org: Organization) -> bool:
        """True when ``org`` lies inside what the user administers or leads as secretary."""
        return self.is_superuser or any(org.path.startswith(p) for p in self.paths)

    def administers(self, org: Organization) -> bool:
        return self.is_superuser or any(org.path.startswith(p) for p in self.admin_paths)

    def leads(self, org: Organization) -> bool:
        """True when the user is secretary of ``org`` or of the branch above it."""
        return any(org.path.startswith(p) for p in self.secretary_paths)

    def q(self, field_path: str = "organization") -> Q:
        """A filter for objects whose organization (at ``field_path``) lies in the jurisdiction."""
        if self.is_superuser:
            return Q()
        return _paths_q(self.paths, field_path)

    def admin_q(self, field_path: str = "organization") -> Q:
        if self.is_superuser:
            return Q()
        return _paths_q(_covering(self.admin_paths), field_path)


ANONYMOUS = Jurisdiction()


def jurisdiction_of(user: User | None) -> Jurisdiction:
    """The user's jurisdiction, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    admin, secretary, roles = [], [], {}
    rows = RoleAssignment.objects.filter(user=user, is_active=True, organization__is_active=True).values_list(
        "role", "organization_id", "organization__path"
    )
    for role, org_id, path in rows:
        roles.setdefault(role, []).append(org_id)
        if role == Role.ORG_ADMIN:
            admin.append(path)
        elif role == Role.SECRETARY:
            secretary.append(path)
    result = Jurisdiction(
        is_superuser=user.is_superuser,
        admin_paths=_covering(admin),
        secretary_paths=_covering(secretary),
        roles={role: tuple(ids) for role, ids in roles.items()},
    )
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_jurisdiction(user: User) -> None:
    """Drop the cached jurisdiction after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1, as the schema says. An id of nothing filters to nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A year, a whole number from ``min_value`` to ``max_value`` (by default any calendar year), and
    documented with those bounds; a year outside them is refused (400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 1, max_value: int = 9999, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
        extend_schema_field({"type": "integer", "minimum": min_value, "maximum": max_value})(self)


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("text"))
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices)
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Organization
        fields = ["q", "kind", "parent"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(full_name__icontains=value))


def org_list(*, actor: User, filters: dict | None = None) -> QuerySet[Organization]:
    """Organizations the actor may see: its jurisdiction's subtrees plus the ones it belongs to."""
    j = jurisdiction_of(actor)
    qs = Organization.objects.all()
    if not j.is_superuser:
        own = {org_id for ids in j.roles.values() for org_id in ids}
        qs = qs.filter(j.q("") | Q(pk__in=own))
    if filters:
        qs = OrganizationFilter(filters, queryset=qs).qs
    return qs.order_by("path")


def org_children(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(parent=org).order_by("path")


def org_by_full_name(full_name: str) -> Organization | None:
    """The organization a user names in a file: a county may be written with its city (南京市鼓楼区)."""
    matches = list(Organization.objects.filter(Q(full_name=full_name) | Q(name=full_name))[:2])
    exact = [o for o in matches if o.full_name == full_name]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def branches_led_by(user: User) -> QuerySet[Organization]:
    """The branches (or general branches) where the user is secretary."""
    return Organization.objects.filter(
        role_assignments__user=user,
        role_assignments__role=Role.SECRETARY,
        role_assignments__is_active=True,
    ).order_by("path")


def orgs_administered_by(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(
        role_assignments__user=user,
        role_assignments__role=Role.ORG_ADMIN,
        role_assignments__is_active=True,
    ).order_by("path")


def users_with_role(*, role: str, organization: Organization) -> QuerySet[User]:
    """Users holding ``role`` exactly at ``organization`` (for notifying a branch's secretaries)."""
    return User.objects.filter(
        roles__role=role, roles__organization=organization, roles__is_active=True, is_active=True
    ).distinct()


def admins_above(org: Organization) -> QuerySet[User]:
    """Org admins of every organization on the way up from ``org`` (including it)."""
    return User.objects.filter(
        roles__role=Role.ORG_ADMIN,
        roles__organization__path__in=org.ancestor_paths(),
        roles__is_active=True,
        is_active=True,
    ).distinct()
