"""The instructor search (``GET /api/v1/instructors/``) answered from the shared cache (orgs/cache.py).

An answer depends on the query string and on who asks. Anonymous visitors all see the same thing, and
so do users who administer no pool and are no instructor (they see active instructors with masked
phones); their answers are shared per query. Admins, instructors and superusers see rows or contact
data of their own: their answers are not cached.

Every write that changes what a search would show makes all cached answers stale (namespace
``"pool"``): the pool services' ``instructor_changed`` signal (imports included), and any save or
delete of an instructor, topic, pool or sub-area and the sub-area tags (the Django admin included).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from orgs import cache
from orgs.models import Role
from orgs.selectors import jurisdiction_of

NAMESPACE = "pool"


def changed(**_kwargs) -> None:
    cache.bump(NAMESPACE)


def viewer_class(user) -> str | None:
    """Whose search answers look alike: ``"anonymous"``, ``"user"``, or None (answers of their own)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    j = jurisdiction_of(user)
    if j.is_superuser or j.admin_paths or Role.INSTRUCTOR in j.roles:
        return None
    return "user"


def fetch(request):
    """``(slot, answer)`` as :func:`orgs.cache.fetch`; no slot for a viewer with answers of their own."""
    viewer = viewer_class(request.user)
    if viewer is None:
        return None, cache.MISSING
    query = sorted(request.GET.lists())
    return cache.fetch([NAMESPACE], ("roster", viewer, query, getattr(request, "LANGUAGE_CODE", "")))


def connect() -> None:
    from .models import Instructor, Pool, SubArea, Topic
    from .signals import instructor_changed

    instructor_changed.connect(changed, dispatch_uid="pool.roster_cache.changed")
    for model in (Instructor, Topic, Pool, SubArea):
        post_save.connect(changed, sender=model, dispatch_uid=f"pool.roster_cache.save.{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"pool.roster_cache.delete.{model.__name__}")
    m2m_changed.connect(changed, sender=Instructor.sub_areas.through, dispatch_uid="pool.roster_cache.tags")
