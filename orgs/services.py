"""Every write to organizations, users and roles."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Organization, Role, RoleAssignment, User
from .selectors import forget_jurisdiction

# Where each role may be held.
ROLE_ORG_KINDS = {
    Role.ORG_ADMIN: {
        Organization.Kind.PROVINCE,
        Organization.Kind.CITY,
        Organization.Kind.COUNTY,
        Organization.Kind.UNIT,
        Organization.Kind.COMMITTEE,
    },
    Role.SECRETARY: set(Organization.BRANCH_KINDS),
    Role.MEMBER: {*Organization.BRANCH_KINDS, Organization.Kind.GROUP},
    Role.INSTRUCTOR: set(Organization.Kind.values),
}


def _full_name(*, parent: Organization | None, name: str, kind: str) -> str:
    if kind == Organization.Kind.COUNTY and parent is not None and not name.startswith(parent.name):
        return f"{parent.name}{name}"
    return name


def _check_child_kind(parent: Organization | None, kind: str) -> None:
    if kind not in Organization.Kind.values:
        raise DomainError(_("Unknown organization kind “%(kind)s”.") % {"kind": kind}, field="kind")
    if parent is None:
        if kind != Organization.Kind.PROVINCE:
            raise DomainError(_("Only a province can be the root of the tree."), field="kind")
        return
    if kind not in Organization.CHILD_KINDS[parent.kind]:
        raise DomainError(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": Organization.Kind(kind).label, "parent": parent.get_kind_display()},
            field="kind",
        )


@transaction.atomic
def org_create(
    *, parent: Organization | None, name: str, kind: str, code: str = "", full_name: str = ""
) -> Organization:
    """Add one organization under ``parent`` (or the root province)."""
    name = name.strip()
    if not name:
        raise DomainError(_("The name is required."), field="name")
    _check_child_kind(parent, kind)
    fields = {
        "name": name,
        "kind": kind,
        "code": code,
        "full_name": full_name or _full_name(parent=parent, name=name, kind=kind),
    }
    if parent is None:
        return Organization.objects.add_root(create_kwargs=fields)
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    return Organization.objects.add_child(parent, create_kwargs={"parent": parent, **fields})


@transaction.atomic
def org_bulk_create(*, parent: Organization, children: Iterable[dict]) -> list[Organization]:
    """Insert many children of ``parent`` in one statement (seeding, imports).

    Paths are computed here from the parent's child count, under a row lock on the parent.
    """
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    last = Organization.objects.filter(parent=parent).order_by("-path").first()
    position = Organization._str2int(last.path[-Organization.steplen :]) if last else 0
    nodes = []
    for spec in children:
        _check_child_kind(parent, spec["kind"])
        position += 1
        nodes.append(
            Organization(
                parent=parent,
                name=spec["name"],
                kind=spec["kind"],
                code=spec.get("code", ""),
                full_name=spec.get("full_name") or _full_name(parent=parent, name=spec["name"], kind=spec["kind"]),
                depth=parent.depth + 1,
                path=Organization._get_path(parent.path, parent.depth + 1, position),
                numchild=0,
            )
        )
    created = Organization.objects.bulk_create(nodes, batch_size=2000)
    Organization.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(nodes))
    if not all(node.pk for node in created):
        # SQLite before 3.35 does not return ids from bulk inserts; read them back by path.
        by_path = dict(Organization.objects.filter(path__in=[n.path for n in created]).values_list("path", "pk"))
        for node in created:
            node.pk = node.id = by_path[node.path]
    return created


@transaction.atomic
def user_create(
    *, username: str, password: str | None = None, full_name: str = "", email: str = "", validate: bool = True
) -> User:
    """Create a login. ``password=None`` makes an account that cannot log in until one is set."""
    username = username.strip()
    if not username:
        raise DomainError(_("The user name is required."), field="username")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("The user name “%(name)s” is taken.") % {"name": username}, field="username")
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    user.save()
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, organization: Organization, actor: User | None = None) -> RoleAssignment:
    """Give ``user`` ``role`` at ``organization``; granting a role already held re-activates it."""
    if role not in Role.values:
        raise DomainError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    if organization.kind not in ROLE_ORG_KINDS[role]:
        raise DomainError(
            _("The role %(role)s cannot be held at a %(kind)s.")
            % {"role": Role(role).label, "kind": organization.get_kind_display()},
            field="role",
        )
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, defaults={"granted_by": actor}
    )
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    forget_jurisdiction(user)
    return assignment


@transaction.atomic
def role_revoke(*, user: User, role: str, organization: Organization) -> None:
    """Withdraw a role; the row stays (inactive) as a record of who held it."""
    RoleAssignment.objects.filter(user=user, role=role, organization=organization).update(is_active=False)
    forget_jurisdiction(user)
