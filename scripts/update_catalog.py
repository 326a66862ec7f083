"""Refresh gridwatch/web/translations/en/LC_MESSAGES/messages.po from the sources.

Extracts the Chinese message ids of the web app (templates: _(); Python: _ and
_l) plus every label of gridwatch/vocab.py (shown through ``label()``), merges
them into the English catalog (new ids get an empty translation, gone ones are
dropped), and lists the ids still untranslated. The app compiles the .po at
start; tests/web/test_i18n.py fails on an untranslated id.

    PYTHONPATH=$PWD .venv/bin/python scripts/update_catalog.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "gridwatch" / "web"
PO = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def template() -> Catalog:
    """Every message id the web app can show."""
    from gridwatch import vocab

    pot = Catalog(locale=None, project="gridwatch")
    for fname, lineno, message, _comments, _ctx in extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS
    ):
        pot.add(message, locations=[(f"gridwatch/web/{fname}", lineno)])
    for name in dir(vocab):
        table = getattr(vocab, name)
        if (
            name.isupper()
            and isinstance(table, dict)
            and not name.endswith("ALIASES")
            and not name.startswith("LEGACY_")  # old codes, read from old files
        ):
            for label in table.values():
                if not isinstance(label, str):
                    continue  # e.g. VOCABULARIES: lists of lists
                pot.add(label, locations=[(f"gridwatch/vocab.py:{name}", 0)])
    return pot


def main() -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    catalog.update(template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=88, omit_header=False, sort_output=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    for mid in missing:
        print(f"untranslated: {mid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
