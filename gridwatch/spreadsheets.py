"""Cells that spreadsheets open safely, and output paths checked before any work.

Formula injection (OWASP "CSV Injection"): a cell whose text starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return, which Excel skips before
reading such a sign) is run as a formula when a CSV is opened in Excel, WPS or
LibreOffice; ``=HYPERLINK(...)`` or ``=cmd|...`` in an enterprise name would run on
a clerk's machine. OWASP's remedy is a leading apostrophe, which makes the cell
text. :func:`neutralise` adds it; :func:`restore` takes it away again on import,
so export → import gives back the real name. The rule is a bijection: text that
already starts with an apostrophe followed by one of those characters gets a
second apostrophe, so a real leading apostrophe also survives the round trip.

XLSX needs no apostrophe in the text: a cell written as a string with Excel's
``quotePrefix`` style is never evaluated, and its value stays the real text.
"""

from __future__ import annotations

import os
from pathlib import Path

from gridwatch.errors import InvalidInputError

__all__ = ["FORMULA_TRIGGERS", "check_writable", "neutralise", "restore"]

#: First characters a spreadsheet treats as the start of a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def _needs_escape(text: str) -> bool:
    if not text:
        return False
    if text.startswith(FORMULA_TRIGGERS):
        return True
    # an apostrophe already in front of a trigger: escape it too (bijection)
    rest = text.lstrip(_ESCAPE)
    return text[0] == _ESCAPE and rest != text and rest.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """Prefix an apostrophe to text a spreadsheet would run as a formula.

    Numbers, dates and other non-text values are returned unchanged (a negative
    number is data, not a formula).

    >>> neutralise('=HYPERLINK("http://x")'), neutralise("-5"), neutralise(-5)
    ('\\'=HYPERLINK("http://x")', "'-5", -5)
    >>> neutralise("佛山陶瓷厂")
    '佛山陶瓷厂'
    """
    if isinstance(value, str) and _needs_escape(value):
        return _ESCAPE + value
    return value


def restore(value):
    """Undo :func:`neutralise`: drop the one apostrophe it added.

    >>> restore("'=1+1"), restore("''=1"), restore("'not a formula")
    ('=1+1', "'=1", "'not a formula")
    """
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == _ESCAPE
        and _needs_escape(value[1:])
    ):
        return value[1:]
    return value


def check_writable(path, what: str = "output file") -> Path:
    """Raise unless ``path`` can be created or overwritten; call before any work.

    Checks that the folder exists and is writable and that the path is not a
    folder, so an import never stores rows and then fails on its report file.
    Nothing is created.

    Raises
    ------
    InvalidInputError
        One sentence naming the path and what is wrong with it.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InvalidInputError(
            f"Cannot write the {what} {path}: it is a folder; give a file name."
        )
    if not folder.is_dir():
        raise InvalidInputError(
            f"Cannot write the {what} {path}: the folder {folder} does not exist; "
            "create it or choose another path."
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidInputError(
            f"Cannot write the {what} {path}: the file is read-only; choose "
            "another path."
        )
    if not path.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(
            f"Cannot write the {what} {path}: the folder {folder} is not "
            "writable; choose another path."
        )
    return path
