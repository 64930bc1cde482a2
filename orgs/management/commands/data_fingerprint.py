"""Print a fingerprint of every table: row count and a hash of its rows in primary-key order.

Used to check that a restored backup holds the same data as the database it was taken from.
"""

import hashlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print row counts and content hashes of every model's table (JSON)."

    def handle(self, *args, **options):
        result = {}
        for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
            if model._meta.proxy or not model._meta.managed:
                continue
            digest = hashlib.sha256()
            count = 0
            fields = [f.attname for f in model._meta.concrete_fields]
            for row in model._base_manager.order_by("pk").values_list(*fields).iterator(chunk_size=5000):
                digest.update(repr(row).encode())
                count += 1
            result[model._meta.db_table] = {"rows": count, "sha256": digest.hexdigest()[:16]}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True))
