"""Photos of inspections and hazards: checked, stored by content hash, served by scope.

Files live under ``<data dir>/photos/<sha256[:2]>/<sha256>.<ext>``; the SHA-256
is that of the stored (cleaned) bytes, so the name verifies the content and two
uploads of one picture share one file. A ``photos`` row is one attachment (to an
inspection or a hazard; hazard events later) and carries the enterprise, so who
may see a photo is the one enterprise scope clause.

Order of work, so a refused upload stores nothing: every upload of a request is
checked in memory first (:func:`prepare_photos`), the files are written
(:func:`store_files`), and only then are rows added inside the caller's
transaction (:func:`attach_photos`). A transaction that fails after the files
were written leaves unreferenced files, never a row without its file; they are
harmless (content-addressed) and can be swept by comparing the folder with the
table.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.config import Settings
from gridwatch.db.models import Hazard, Inspection, Photo
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.fieldwork.photos import CleanPhoto, PhotoLimits, clean_photo
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_ids_clause

#: Photos per inspection or hazard (issue 9: "up to 6 photos").
MAX_PHOTOS = 6


@dataclass(frozen=True)
class Upload:
    """One uploaded file as received: the browser's file name and the bytes.

    The web layer reads at most ``photo_max_bytes + 1`` bytes of each file (so an
    oversized one is refused without reading it all) and passes them here.
    """

    filename: str | None
    data: bytes


@dataclass(frozen=True)
class PhotoFile:
    """A stored photo to send: ``path`` on disk, its type and a download name."""

    id: int
    path: Path
    content_type: str
    sha256: str
    size_bytes: int
    download_name: str


def photo_limits(settings: Settings) -> PhotoLimits:
    return PhotoLimits(
        max_bytes=int(settings.photo_max_bytes),
        max_pixels=int(settings.photo_max_pixels),
        max_edge_px=int(settings.photo_max_edge_px),
    )


def photo_root(settings: Settings) -> Path:
    """``<data dir>/photos``."""
    return settings.data_path / "photos"


def _path(settings: Settings, sha256: str, ext: str) -> Path:
    return photo_root(settings) / sha256[:2] / f"{sha256}.{ext}"


def photo_path(settings: Settings, sha256: str, ext: str) -> Path:
    """Where the photo store keeps the file of a hash (public tip-offs' photos
    have no ``photos`` row; they are kept by hash the same way)."""
    return _path(settings, sha256, ext)


def prepare_photos(
    settings: Settings, uploads: Sequence[Upload], *, already: int = 0
) -> list[CleanPhoto]:
    """Check every upload (in memory, nothing written); duplicates collapse to one.

    Parameters
    ----------
    uploads : sequence of Upload
        Empty entries (no name and no bytes: an unused file input) are skipped.
    already : int
        Photos the record has already (the limit is :data:`MAX_PHOTOS` in all).

    Raises
    ------
    InvalidInputError
        Too many photos, or the first bad upload's one-sentence reason.
    """
    real = [u for u in uploads if u.data or u.filename]
    if already + len(real) > MAX_PHOTOS:
        raise InvalidInputError(
            f"A record may have at most {MAX_PHOTOS} photos; it has {already} and "
            f"{len(real)} were sent."
        )
    limits = photo_limits(settings)
    out: dict[str, CleanPhoto] = {}
    for up in real:
        clean = clean_photo(up.data, up.filename, limits)
        out.setdefault(clean.sha256, clean)
    return list(out.values())


def store_files(settings: Settings, photos: Sequence[CleanPhoto]) -> list[Path]:
    """Write each photo once under its hash (atomic: temp file, then rename)."""
    paths = []
    for p in photos:
        path = _path(settings, p.sha256, p.ext)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(p.data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        paths.append(path)
    return paths


def attach_photos(
    session: Session,
    actor: Actor,
    photos: Sequence[CleanPhoto],
    *,
    enterprise_id: int,
    inspection_id: int | None = None,
    hazard_id: int | None = None,
) -> list[int]:
    """Add one ``photos`` row per photo (files already stored); return the ids.

    Exactly one of ``inspection_id`` and ``hazard_id`` is given; the caller has
    checked that it belongs to ``enterprise_id`` and lies in the actor's scope.
    """
    if (inspection_id is None) == (hazard_id is None):
        raise ValueError("give exactly one of inspection_id and hazard_id")
    rows = [
        Photo(
            sha256=p.sha256,
            content_type=p.content_type,
            width=p.width,
            height=p.height,
            size_bytes=len(p.data),
            original_name=p.original_name,
            taken_at=p.taken_at,
            enterprise_id=enterprise_id,
            inspection_id=inspection_id,
            hazard_id=hazard_id,
            uploaded_by=actor.audit_name,
        )
        for p in photos
    ]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def photos_of(conn, *, inspection_ids=(), hazard_ids=()) -> dict[tuple, list[dict]]:
    """Photo summaries keyed ``("inspection", id)`` / ``("hazard", id)``.

    Each summary: ``id``, ``content_type``, ``width``, ``height``,
    ``original_name`` (user text: escape it), ``taken_at`` (naive UTC or None).
    The caller has already limited the ids to the actor's scope.
    """
    conds = []
    if inspection_ids:
        conds.append(Photo.inspection_id.in_(list(inspection_ids)))
    if hazard_ids:
        conds.append(Photo.hazard_id.in_(list(hazard_ids)))
    out: dict[tuple, list[dict]] = {}
    if not conds:
        return out
    rows = conn.execute(
        sa.select(
            Photo.id,
            Photo.inspection_id,
            Photo.hazard_id,
            Photo.content_type,
            Photo.width,
            Photo.height,
            Photo.original_name,
            Photo.taken_at,
        )
        .where(sa.or_(*conds))
        .order_by(Photo.id)
    ).all()
    for r in rows:
        key = (
            ("inspection", r.inspection_id)
            if r.inspection_id
            else ("hazard", r.hazard_id)
        )
        out.setdefault(key, []).append(
            {
                "id": r.id,
                "content_type": r.content_type,
                "width": r.width,
                "height": r.height,
                "original_name": r.original_name,
                "taken_at": r.taken_at,
            }
        )
    return out


def add_photos(
    ctx: Context,
    actor: Actor,
    uploads: Sequence[Upload],
    *,
    inspection_id: int | None = None,
    hazard_id: int | None = None,
) -> list[int]:
    """Attach more photos to an existing inspection or hazard in the actor's scope.

    Raises
    ------
    PermissionDeniedError
        Roles other than warden and street office.
    NotFoundError
        The inspection or hazard does not exist in the actor's scope.
    InvalidInputError
        Over :data:`MAX_PHOTOS` in all, or a bad upload (one sentence).
    """
    require_role(actor, "warden", "street_office", action="Adding photos")
    if (inspection_id is None) == (hazard_id is None):
        raise ValueError("give exactly one of inspection_id and hazard_id")
    model, key = (Inspection, inspection_id) if inspection_id else (Hazard, hazard_id)
    link = Photo.inspection_id if inspection_id else Photo.hazard_id
    what = "inspection" if inspection_id else "hazard"
    with ctx.engine.connect() as conn:
        ent = conn.execute(
            sa.select(model.enterprise_id).where(
                model.id == key, enterprise_ids_clause(actor, model.enterprise_id)
            )
        ).scalar()
        if ent is None:
            raise NotFoundError(f"There is no {what} {key} in your area.")
        have = set(conn.execute(sa.select(Photo.sha256).where(link == key)).scalars())
    photos = prepare_photos(ctx.settings, uploads, already=len(have))
    photos = [p for p in photos if p.sha256 not in have]  # already attached
    store_files(ctx.settings, photos)
    with ctx.transaction(actor) as s:
        return attach_photos(
            s,
            actor,
            photos,
            enterprise_id=ent,
            inspection_id=inspection_id,
            hazard_id=hazard_id,
        )


def read_photo(ctx: Context, actor: Actor, photo_id: int) -> PhotoFile:
    """The stored file of photo ``photo_id`` when the actor's scope covers its
    enterprise.

    Raises
    ------
    NotFoundError
        No such photo in the actor's scope (out of scope looks like absent), or its
        file is missing from the data directory.
    """
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(
                Photo.id,
                Photo.sha256,
                Photo.content_type,
                Photo.size_bytes,
                Photo.original_name,
            ).where(
                Photo.id == photo_id,
                enterprise_ids_clause(actor, Photo.enterprise_id),
            )
        ).first()
    if row is None:
        raise NotFoundError(f"There is no photo {photo_id} in your area.")
    ext = "png" if row.content_type == "image/png" else "jpg"
    path = _path(ctx.settings, row.sha256, ext)
    if not path.is_file():
        raise NotFoundError(
            f"Photo {photo_id}'s file is missing from the data directory; restore "
            "the photos folder from the backup."
        )
    return PhotoFile(
        id=row.id,
        path=path,
        content_type=row.content_type,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        download_name=f"photo-{row.id}.{ext}",
    )
