from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "pool"
    verbose_name = _("Instructor pool")

    def ready(self) -> None:
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo

        from . import roster_cache
        from .recommender.freshness import on_instructor_changed
        from .recommender.todo import recommend_todo
        from .signals import instructor_changed
        from .todo import instructor_todo, pool_admin_todo, recommender_todo, reviewer_todo

        register_nav(
            NavItem(_("Instructor roster"), "pool:roster", order=10, public=True),
            NavItem(_("My instructor page"), "pool:me", order=15, roles=frozenset({Role.INSTRUCTOR})),
            NavItem(_("Recommend for me"), "pool:recommend", order=12, roles=frozenset({Role.SECRETARY})),
            NavItem(_("Pool management"), "pool:manage", order=20, roles=frozenset({Role.ORG_ADMIN})),
            NavItem(
                _("Calls for instructors"), "pool:calls", order=21, roles=frozenset({Role.ORG_ADMIN, Role.SECRETARY})
            ),
        )
        for provider in (pool_admin_todo, reviewer_todo, recommender_todo, instructor_todo, recommend_todo):
            register_todo(provider)
        # Every process's recommender index notices committed changes of instructors (docs/recommender.md).
        instructor_changed.connect(on_instructor_changed, dispatch_uid="pool.recommender.index_version")
        # Cached roster searches go stale with every write to the pool (pool/roster_cache.py).
        roster_cache.connect()
        register_seed(SeedStep(order=10, name="pool", demo="pool.seed.demo", scale="pool.seed.scale"))
