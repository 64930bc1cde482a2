from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo

        from .todo import member_todo, secretary_todo

        register_nav(
            NavItem(_("Members"), "members:list", order=40, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN})),
            NavItem(_("Mobile members"), "members:mobile", order=41, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN})),
            NavItem(_("My membership"), "members:me", order=42, roles=frozenset({Role.MEMBER})),
        )
        register_todo(secretary_todo)
        register_todo(member_todo)
        register_seed(SeedStep(order=20, name="members", demo="members.seed.demo", scale="members.seed.scale"))
