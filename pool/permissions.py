"""Who may do what with pools and instructors: ``can_<verb>_<thing>(user, obj)``.

A pool is *managed* by the org admins of its own organization (the department that owns it): they run
intake, appoint, import and answer suggestions, and they alone (with the instructor) see contact data.
Admins above the pool's organization *supervise* it: they see its management pages and candidates,
never the contact data. Everyone, anonymous included, sees the public fields of active instructors.
"""

from dataclasses import dataclass

from orgs.models import Role
from orgs.selectors import jurisdiction_of

from .models import Call, Instructor, Pool, Recommendation, Suggestion


def can_manage_pool(user, pool: Pool) -> bool:
    if user is None or not user.is_authenticated:
        return False
    j = jurisdiction_of(user)
    return j.is_superuser or pool.organization_id in j.org_ids(Role.ORG_ADMIN)


def can_view_pool(user, pool: Pool) -> bool:
    """Manage it, or administer an organization above it (supervision)."""
    if user is None or not user.is_authenticated:
        return False
    return can_manage_pool(user, pool) or jurisdiction_of(user).administers(pool.organization)


def can_see_contact(user, instructor: Instructor) -> bool:
    """The owning pool's admins and the instructor themself; nobody else, anywhere."""
    if user is None or not user.is_authenticated:
        return False
    return instructor.user_id == user.pk or can_manage_pool(user, instructor.pool)


def can_view_instructor(user, instructor: Instructor) -> bool:
    if instructor.status == Instructor.Status.APPOINTED and instructor.pool.is_active:
        return True
    if user is None or not user.is_authenticated:
        return False
    return instructor.user_id == user.pk or can_view_pool(user, instructor.pool)


def can_edit_instructor(user, instructor: Instructor) -> bool:
    """Profile and topics: the instructor themself or the pool's admins."""
    return can_see_contact(user, instructor)


def can_recommend_to_call(user, call: Call) -> bool:
    """Admins and secretaries of organizations inside the pool's organization, while the call is open."""
    if not call.is_open or user is None or not user.is_authenticated:
        return False
    j = jurisdiction_of(user)
    return j.is_superuser or any(p.startswith(call.pool.organization.path) for p in j.paths)


def can_review_recommendation(user, recommendation: Recommendation) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return recommendation.call.reviewers.filter(pk=user.pk).exists()


def can_answer_suggestion(user, suggestion: Suggestion) -> bool:
    return can_manage_pool(user, suggestion.pool)


@dataclass(frozen=True)
class ContactPolicy:
    """Decides contact visibility for many instructors without a query per row.

    Build it once per request (``ContactPolicy.for_user``); it reads ``instructor.pool.organization_id``,
    so select the pool with the instructors.
    """

    user_id: int | None
    managed_org_ids: frozenset[int]
    everything: bool = False

    @classmethod
    def for_user(cls, user) -> "ContactPolicy":
        if user is None or not user.is_authenticated:
            return cls(user_id=None, managed_org_ids=frozenset())
        j = jurisdiction_of(user)
        return cls(user_id=user.pk, managed_org_ids=frozenset(j.org_ids(Role.ORG_ADMIN)), everything=j.is_superuser)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def allows(self, instructor: Instructor) -> bool:
        if self.user_id is None:
            return False
        if self.everything or instructor.user_id == self.user_id:
            return True
        return instructor.pool.organization_id in self.managed_org_ids

    def phone(self, instructor: Instructor) -> str | None:
        """The phone as this viewer may see it: full, masked, or None for anonymous visitors."""
        if self.user_id is None:
            return None
        return instructor.phone if self.allows(instructor) else instructor.masked_phone

    def email(self, instructor: Instructor) -> str | None:
        if self.user_id is None or not instructor.email:
            return None if self.user_id is None else ""
        if self.allows(instructor):
            return instructor.email
        local, _at, domain = instructor.email.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
