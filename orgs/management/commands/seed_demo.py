"""Build the demo province, or with ``--scale N`` a larger world for benchmarks."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from orgs.cache import invalidate_all
from orgs.models import Organization, User
from orgs.registry import SEED_STEPS
from orgs.seed import DEMO_ACCOUNTS

DEMO_PASSWORD = "demo12345"


@dataclass
class SeedContext:
    """What the seed steps share: the password, and what earlier steps built, by key."""

    password: str
    stdout: object = None
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    branches: list = field(default_factory=list)
    divisions: dict = field(default_factory=dict)
    scale_branch_ids: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


class Command(BaseCommand):
    help = "Create the demo province with its demo accounts; --scale N adds N branches of about 20 members."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help=f"password of the demo accounts (default {DEMO_PASSWORD}, demo mode only)"
        )
        parser.add_argument("--scale", type=int, default=0, help="add N branches with about 20 members each")

    def handle(self, *args, password=None, scale=0, **options):
        if password is None:
            if not settings.DEMO_MODE:
                raise CommandError("Outside demo mode the demo accounts need a password: pass --password.")
            password = DEMO_PASSWORD
        if scale < 0:
            raise CommandError("--scale must be a positive number of branches.")
        ctx = SeedContext(password=password, stdout=self.stdout)
        if Organization.objects.filter(depth=1).exists():
            self.stdout.write("The demo province is already there; nothing to add to it.")
        else:
            self._run(ctx, "demo")
            self.print_logins(password)
        if scale:
            self._run(ctx, "scale", scale)
        invalidate_all()  # the seeds write in bulk, past the writers that make cached answers stale

    def _run(self, ctx: SeedContext, phase: str, *args) -> None:
        for step in SEED_STEPS:
            path = getattr(step, phase)
            if not path:
                continue
            started = time.monotonic()
            with transaction.atomic():
                import_string(path)(ctx, *args)
            self.stdout.write(f"  {phase} · {step.name}: {time.monotonic() - started:.1f} s")

    def print_logins(self, password: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo log-ins (password: {password}):"))
        users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}
        for username, *_rest in DEMO_ACCOUNTS:
            user = users.get(username)
            roles = (
                ", ".join(
                    f"{r.get_role_display()} @ {r.organization}" for r in user.roles.select_related("organization")
                )
                if user
                else ""
            )
            self.stdout.write(f"  {username:<18} {roles}")
        self.stdout.write("  admin              Django admin at /admin/")
