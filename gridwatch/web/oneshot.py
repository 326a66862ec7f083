"""One-time downloads (generated passwords): kept in the data dir, mode 0600, for
one hour, handed out once and only to the user who made them.

Files rather than the session: Flask's session is a signed but readable cookie,
so passwords must not go into it; files in the data dir are shared by all
gunicorn workers, so the download may land on another worker than the import.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

TTL_S = 3600


def _folder(data_dir: Path) -> Path:
    folder = Path(data_dir) / "web" / "oneshot"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def put(data_dir: Path, owner: str, filename: str, content: bytes) -> str:
    """Keep ``content`` for ``owner``; return the key of its one download."""
    key = secrets.token_urlsafe(16)
    path = _folder(data_dir) / f"{key}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(
            {"owner": owner, "filename": filename, "content": content.decode("utf-8")},
            fh,
        )
    _purge(path.parent)
    return key


def take(data_dir: Path, owner: str, key: str) -> tuple[str, bytes] | None:
    """The ``(filename, content)`` once, to its owner, within the hour; else None."""
    if not key.replace("-", "").replace("_", "").isalnum():
        return None
    path = _folder(data_dir) / f"{key}.json"
    try:
        age = time.time() - path.stat().st_mtime
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("owner") != owner:
        return None
    try:
        path.unlink()  # the first taker wins; a second request finds nothing
    except FileNotFoundError:
        return None
    if age > TTL_S:
        return None
    return data["filename"], data["content"].encode("utf-8")


def _purge(folder: Path) -> None:
    now = time.time()
    for p in folder.glob("*.json"):
        try:
            if now - p.stat().st_mtime > TTL_S:
                p.unlink()
        except OSError:
            pass
