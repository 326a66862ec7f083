"""Chinese first, English complete: every message id and vocab label translated."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "gridwatch/web/translations/en/LC_MESSAGES/messages.po"


def _template():
    spec = importlib.util.spec_from_file_location(
        "update_catalog", ROOT / "scripts/update_catalog.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.template()


def test_english_catalog_translates_every_message():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = [
        m.id
        for m in _template()
        if m.id and not (catalog.get(m.id) and catalog.get(m.id).string)
    ]
    assert not missing, f"untranslated (run scripts/update_catalog.py): {missing}"


def test_english_catalog_keeps_placeholders():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for m in catalog:
        if m.id and m.string:
            assert set(re.findall(r"%\(\w+\)s", m.id)) == set(
                re.findall(r"%\(\w+\)s", m.string)
            ), m.id


def test_catalog_compiled_at_start_into_the_data_dir(tmp_path):
    from gridwatch.web.i18n import compile_catalogs

    out = compile_catalogs(tmp_path)
    assert (out / "en/LC_MESSAGES/messages.mo").stat().st_size > 1000
    assert compile_catalogs(tmp_path) == out  # same .po: same folder, not rebuilt
