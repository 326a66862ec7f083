"""Chinese first: zh_CN by default, English on request; Asia/Shanghai times.

Message ids are the Chinese text itself, so zh_CN needs no catalog and a missing
English translation falls back to Chinese, never to a blank.
``translations/en/LC_MESSAGES/messages.po`` is committed; the app compiles it at
start into ``<data_dir>/web/translations-<hash of the .po files>/`` (no manual
step from a clean clone; the hash makes a changed catalog compile anew, and
several workers starting at once each write the same bytes through a rename).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import format_datetime
from flask_login import current_user

from gridwatch import vocab
from gridwatch.timeutil import to_local

SOURCE = Path(__file__).with_name("translations")
LANGUAGES = {"zh_CN": "中文", "en": "English"}


def compile_catalogs(data_dir: Path) -> Path:
    """Compile every ``.po`` under :data:`SOURCE`; return the directory of ``.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    pos = sorted(SOURCE.glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in pos)).hexdigest()[:12]
    out = Path(data_dir) / "web" / f"translations-{digest}"
    for po in pos:
        mo = out / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)
    return out


def select_locale() -> str:
    """The signed-in user's language, else the session's choice, else the default."""
    lang = None
    if current_user and current_user.is_authenticated:
        lang = current_user.language
    lang = lang or session.get("lang")
    if lang in LANGUAGES:
        return lang
    return current_app.extensions["gridwatch"].settings.language


def current_locale() -> str:
    """The request's language as one of :data:`LANGUAGES` (Babel says zh_Hans_CN)."""
    from flask_babel import get_locale

    loc = get_locale()
    return "zh_CN" if loc is None or loc.language == "zh" else "en"


def label(kind: str, code: str | None) -> str:
    """The label of a vocabulary code (``label('RISK_LEVELS', 'red')``), translated;
    an unknown code shows as itself."""
    from flask_babel import gettext

    table = getattr(vocab, kind)
    if code is None:
        return ""
    text = table.get(code)
    return gettext(text) if text else str(code)


def local_time(stamp, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored naive-UTC timestamp in Asia/Shanghai (None → empty)."""
    if stamp is None:
        return ""
    return format_datetime(to_local(stamp), fmt)


def install(app: Flask) -> None:
    """Jinja helpers: ``label``, ``local_time``, ``languages``, ``current_locale``."""
    app.jinja_env.globals.update(
        label=label, languages=LANGUAGES, current_locale=current_locale
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["request_path"] = lambda: request.full_path.rstrip("?")
