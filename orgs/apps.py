from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organizations and users")

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI field extensions)
        from .models import Role
        from .registry import NavItem, SeedStep, register_nav, register_seed, register_todo
        from .todo import org_admin_todo

        register_nav(
            NavItem(_("Home"), "orgs:home", order=0),
            NavItem(_("Organizations"), "orgs:tree", order=90, roles=frozenset({Role.ORG_ADMIN, Role.SECRETARY})),
        )
        register_todo(org_admin_todo)
        register_seed(SeedStep(order=0, name="orgs", demo="orgs.seed.demo", scale="orgs.seed.scale"))
        # A deploy runs migrate: answers cached by the previous release (their shape may differ) go stale.
        post_migrate.connect(_cached_answers_stale, sender=self, dispatch_uid="orgs.cache.after_migrate")


def _cached_answers_stale(**_kwargs) -> None:
    from .cache import invalidate_all

    invalidate_all()
