from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = _("Activity days")

    def ready(self) -> None:
        from members.signals import members_imported
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo

        from . import supervision_cache
        from .todo import admin_todo, member_todo, secretary_todo

        register_nav(
            NavItem(_("Activity day"), "activity:home", order=50, roles=frozenset({Role.SECRETARY})),
            NavItem(_("Supervision"), "activity:supervision", order=51, roles=frozenset({Role.ORG_ADMIN})),
            NavItem(_("My attendance"), "activity:me", order=52, roles=frozenset({Role.MEMBER})),
        )
        # Cached supervision figures go stale with the writes under each organization.
        supervision_cache.connect()
        members_imported.connect(
            lambda sender, branch_ids, **kw: supervision_cache.changed_in(branch_ids),
            dispatch_uid="activity.supervision.members_imported",
            weak=False,
        )
        register_todo(secretary_todo)
        register_todo(member_todo)
        register_todo(admin_todo)
        register_seed(SeedStep(order=40, name="activity", demo="activity.seed.demo", scale="activity.seed.scale"))
