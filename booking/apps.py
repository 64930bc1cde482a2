from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from orgs.models import Role
        from orgs.registry import NavItem, SeedStep, register_nav, register_seed, register_todo
        from pool.registry import (
            register_availability_provider,
            register_instructor_panel,
            register_lecture_titles_provider,
            register_load_provider,
        )

        from .dbguard import ensure_overlap_guard
        from .panels import instructor_panels
        from .selectors import lecture_titles, load_around, unavailable_on
        from .todo import branch_todo, instructor_todo

        register_nav(
            NavItem(_("Book a lecture"), "booking:find", order=30, roles=frozenset({Role.SECRETARY})),
            NavItem(_("Lecture bookings"), "booking:list", order=31, roles=frozenset({Role.SECRETARY, Role.ORG_ADMIN})),
            NavItem(_("Lecture requests"), "booking:inbox", order=32, roles=frozenset({Role.INSTRUCTOR})),
            NavItem(_("My schedule"), "booking:schedule", order=33, roles=frozenset({Role.INSTRUCTOR})),
        )
        register_todo(branch_todo)
        register_todo(instructor_todo)
        register_seed(SeedStep(order=30, name="booking", demo="booking.seed.demo", scale="booking.seed.scale"))
        register_instructor_panel(instructor_panels)
        register_availability_provider(unavailable_on)
        register_load_provider(load_around)
        register_lecture_titles_provider(lecture_titles)
        post_migrate.connect(ensure_overlap_guard, sender=self, dispatch_uid="booking_overlap_guard")
