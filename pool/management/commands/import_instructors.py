"""manage.py import_instructors FILE — import instructors from .xlsx or .csv (SPEC section 3 header)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.models import User
from pool.imports import ImportRejected
from pool.services import instructors_import


class Command(BaseCommand):
    help = (
        "Import instructors from an .xlsx or .csv file with the header 编号,姓名,性别,工作单位,职称,层级,所属,类别,"
        "专题,简介,手机,是否党员. Every row is checked first; any bad row is reported by row and column and "
        "nothing is imported. A known 编号 is updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument("--as", dest="username", help="import as this user (their pools only); default: system")
        parser.add_argument("--create-pools", action="store_true", help="open the pools the file names if missing")
        parser.add_argument(
            "--override-quota", default="", metavar="REASON", help="allow pools beyond their maximum, with a reason"
        )

    def handle(self, *args, file, username=None, create_pools=False, override_quota="", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = None
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"No such user: {username}")
        try:
            result = instructors_import(
                data=path.read_bytes(),
                filename=path.name,
                actor=actor,
                quota_override_reason=override_quota,
                create_pools=create_pools,
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
            raise CommandError(f"{path.name}: {len(exc.errors)} problems; nothing was imported.") from exc
        self.stdout.write(self.style.SUCCESS(f"{result.created} new, {result.updated} updated instructors."))
        for name, count in sorted(result.by_pool.items()):
            self.stdout.write(f"  {name}: {count}")
