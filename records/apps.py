from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Member records")

    def ready(self) -> None:
        from activity.signals import attendance_recorded
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo

        from .receivers import on_attendance_recorded
        from .todo import member_todo, secretary_todo

        attendance_recorded.connect(on_attendance_recorded, dispatch_uid="records_attendance_entries")
        register_nav(
            NavItem(_("Records"), "records:home", order=60, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN})),
            NavItem(_("Dues arrears"), "records:arrears", order=61, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN})),
            NavItem(
                _("Points"), "records:points", order=62, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN, Role.MEMBER})
            ),
            NavItem(_("My record"), "records:me", order=63, roles=frozenset({Role.MEMBER})),
        )
        register_todo(member_todo)
        register_todo(secretary_todo)
        register_seed(SeedStep(order=60, name="records", demo="records.seed.demo"))
