from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from booking.signals import lecture_delivered
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo
        from pool.registry import register_instructor_panel

        from .panels import instructor_panels
        from .receivers import open_rating_window
        from .todo import admin_todo, member_todo, secretary_todo

        register_nav(
            NavItem(_("Rate lectures"), "evaluation:index", order=40, roles=frozenset({Role.MEMBER})),
            NavItem(_("Lecture ratings"), "evaluation:lectures", order=41, roles=frozenset({Role.SECRETARY})),
            NavItem(_("My ratings"), "evaluation:me", order=42, roles=frozenset({Role.INSTRUCTOR})),
            NavItem(_("Yearly evaluation"), "evaluation:runs", order=43, roles=frozenset({Role.ORG_ADMIN})),
        )
        for provider in (member_todo, secretary_todo, admin_todo):
            register_todo(provider)
        register_seed(SeedStep(order=50, name="evaluation", demo="evaluation.seed.demo", scale="evaluation.seed.scale"))
        register_instructor_panel(instructor_panels)
        lecture_delivered.connect(open_rating_window, dispatch_uid="evaluation_open_rating_window")
