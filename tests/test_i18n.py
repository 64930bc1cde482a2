"""Every catalogue is complete and compiled: the UI never falls back to the English msgids."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
CATALOGUES = [*APP_CATALOGUES, ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"]


def _translations(entries) -> dict:
    out = {}
    for e in entries:
        if e.obsolete:
            continue
        key = (e.msgctxt or "", e.msgid, e.msgid_plural or "")
        out[key] = tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural)) if e.msgid_plural else (e.msgstr,)
    return out


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    mo_path = po_path.with_suffix(".mo")

    assert missing == []
    assert mo_path.exists()
    assert _translations(polib.mofile(str(mo_path))) == {k: v for k, v in _translations(po).items() if k[1]}, (
        "the .mo is out of date: run `make messages`"
    )
