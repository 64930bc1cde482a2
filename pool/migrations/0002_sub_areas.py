"""Seed the sub-areas of the six categories from the source's lists (pool/categories.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from pool.categories import subareas_sync

    subareas_sync(apps.get_model("pool", "SubArea"))


class Migration(migrations.Migration):
    dependencies = [("pool", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
