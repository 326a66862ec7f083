"""Supervision rows of the web tests' world (issue 10): one public tip-off with a
photo in every grid, sent from a point inside the grid (so it is routed to the
grid's warden), its text carrying the grid's marker so a leak shows."""

from __future__ import annotations

import json

from gridwatch.services.photos import Upload
from gridwatch.services.supervision import submit_tipoff
from tests.db.warden_helpers import jpeg_bytes


def add_tipoffs(ctx, world) -> dict:
    """``{letter: {"id", "photo"}}`` of the tip-offs made (no receipt code: it
    depends on the secret key of the data directory, which each test module's
    copy of the world has its own)."""
    import sqlalchemy as sa

    from tests.web.world import GRIDS, MARK

    out = {}
    for k, (letter, (_code, _comm, box)) in enumerate(GRIDS.items()):
        centre = box.centroid
        submit_tipoff(
            ctx,
            description=f"{MARK[letter]}旁边堆放易燃物",
            lng=centre.x,
            lat=centre.y,
            contact_phone=f"1380000000{k}",
            uploads=[Upload("tip.jpg", jpeg_bytes(color=(30, 60 * k, 200)))],
            client_address=f"198.51.100.{k + 1}",
        )
        with ctx.engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT id, photos FROM tipoffs ORDER BY id DESC LIMIT 1")
            ).one()
        photos = row.photos if isinstance(row.photos, list) else json.loads(row.photos)
        out[letter] = {"id": row.id, "photo": photos[0]}
    return out
