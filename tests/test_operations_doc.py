"""docs/operations.md stays true to the code: every environment variable it lists is read by the
settings, and every ``manage.py`` command it names exists."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def _settings_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "config" / "settings").glob("*.py"))


def test_every_variable_in_the_table_is_read_by_the_settings():
    section = DOC.split("## 1. Environment", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    names.discard("DJANGO_SETTINGS_MODULE")  # read by manage.py, wsgi.py and celery.py
    source = _settings_source()

    assert len(names) > 20
    assert sorted(n for n in names if f'"{n}"' not in source) == []


def test_every_variable_the_settings_read_is_in_the_table():
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', _settings_source()))
    # DJANGO_DEBUG is forced off in production; TEST_DATABASE_NAME is for the test suite;
    # DJANGO_DEMO_MODE is forced off in production.
    read -= {"DJANGO_DEBUG", "TEST_DATABASE_NAME", "DJANGO_DEMO_MODE"}

    assert sorted(n for n in read if f"`{n}`" not in DOC) == []


def test_every_manage_py_command_named_exists():
    named = set(re.findall(r"manage\.py (\w+)", DOC))

    assert named
    assert sorted(named - set(get_commands())) == []
