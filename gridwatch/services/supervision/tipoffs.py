"""Public tip-offs (群众举报 / 随手拍): the public entry, the queue, triage.

The public entry :func:`submit_tipoff` takes no actor and reads nothing back: it
stores the report, routes it (:mod:`.routing`) and answers only that it was
received. It is audited as the pseudo-actor :data:`PUBLIC`, whose role is in no
service's list, so no read accepts it. It limits reports per client address
(setting ``tipoff_daily_limit`` per 24 hours, counted in the database so the limit
holds across web workers) by an HMAC of the address; the address itself is never
stored.

Staff read and triage within their scope: a warden the tip-offs routed to them or
lying in their grids today, the street office those of its street (routed there
or to one of its grids), the bureau all. Contact details (personal data) are
shown only to them. Triage (:func:`triage_tipoff`) runs the machine of
:mod:`gridwatch.supervision.tipoffs`; converting records the hazard through the
hazard machine in the same transaction. Escalation is derived: still ``new``
more than ``tipoff_escalation_days`` days after receipt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import shapely
import sqlalchemy as sa
from geoalchemy2.shape import from_shape

from gridwatch import vocab
from gridwatch.crs import to_wgs84
from gridwatch.db.models import SRID, Tipoff, TipoffEvent
from gridwatch.db.queries import wkb
from gridwatch.errors import InvalidInputError, NotFoundError, RateLimitedError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.photos import prepare_photos, store_files
from gridwatch.services.scope import code_within, warden_grid_codes
from gridwatch.services.supervision import routing
from gridwatch.services.supervision.common import (
    Page,
    choices,
    page_args,
    plain,
    the_day,
)
from gridwatch.timeutil import LOCAL_TZ, to_local, utcnow

#: The pseudo-actor of the public entry (audit name; no service reads for it).
PUBLIC = Actor(username="public", role="public")
READERS = ("warden", "street_office", "bureau")
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 6
_PHONE = re.compile(r"^[0-9+\-() ]{5,32}$")


def _text(value, what: str, limit: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInputError(
                f"Please describe the {what}.", details={"field": what}
            )
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"The {what} must be text.", details={"field": what})
    text = value.strip()
    if len(text) > limit:
        raise InvalidInputError(
            f"The {what} is longer than {limit} characters; shorten it.",
            details={"field": what},
        )
    return text


def _point(lng, lat, datum: str):
    """A WGS-84 point from the sender's coordinates (converted once), or None."""
    if lng is None and lat is None:
        return None, None
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError):
        raise InvalidInputError(
            "The location must be a longitude and a latitude in degrees.",
            details={"field": "location"},
        ) from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180
            and -90 <= y <= 90):  # fmt: skip
        raise InvalidInputError(
            "The location is not a longitude and latitude; pick the place on the "
            "map again.",
            details={"field": "location"},
        )
    wx, wy = to_wgs84(x, y, datum)
    return float(wx), float(wy)


def _hash_key(ctx: Context) -> bytes:
    """The key of the address HMAC: the app's secret key (setting or file)."""
    key = ctx.settings.secret_key
    if not key:
        path = Path(ctx.settings.data_dir) / "secret_key"
        key = path.read_text().strip() if path.is_file() else "gridwatch-tipoffs"
    return str(key).encode()


def client_hash(ctx: Context, client_address: str | None) -> str | None:
    """HMAC-SHA256 of the client's address (never the address itself)."""
    if not client_address:
        return None
    return hmac.new(_hash_key(ctx), client_address.encode(), hashlib.sha256).hexdigest()


def receipt_code(ctx: Context, tipoff_id: int) -> str:
    """The tracking code given to the sender of tip-off ``tipoff_id`` (回执编号).

    ``JB`` and 10 characters of an HMAC of the id under the app's secret key, in
    Crockford-style base32 without look-alikes: not guessable from another
    code (the sender learns nothing of how many reports there are), yet the
    staff pages compute the same code from the row, so a caller quoting it is
    found without a stored column. Changing the secret key changes the codes.
    """
    mac = hmac.new(_hash_key(ctx), f"tipoff:{int(tipoff_id)}".encode(), hashlib.sha256)
    n = int.from_bytes(mac.digest()[:8], "big")
    out = []
    for _ in range(10):
        n, r = divmod(n, 32)
        out.append(_RECEIPT_ALPHABET[r])
    return "JB" + "".join(out)


_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _check_rate(conn, ctx: Context, digest: str | None, now: dt.datetime) -> None:
    if digest is None:
        return
    since = now - dt.timedelta(hours=24)
    n = conn.execute(
        sa.select(sa.func.count()).where(
            Tipoff.client_hash == digest, Tipoff.received_at >= since
        )
    ).scalar_one()
    if n >= ctx.settings.tipoff_daily_limit:
        raise RateLimitedError(
            "Too many reports were sent from this network today; please try again "
            "tomorrow or call the hotline."
        )


def submit_tipoff(
    ctx: Context,
    *,
    description: str,
    lng: float | None = None,
    lat: float | None = None,
    datum: str = "wgs84",
    address: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    photos: Sequence[str] = (),
    uploads: Sequence = (),
    client_address: str | None = None,
    gazetteer: Callable | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """File a public tip-off (no account; the public entry, see module docstring).

    Parameters
    ----------
    description : str
        What is wrong (required, at most 2,000 characters).
    lng, lat : float, optional
        Where, in ``datum`` (``wgs84``, ``gcj02`` from an Amap base map, ``bd09``,
        ``cgcs2000``); converted to WGS-84 once.
    address : str, optional
        Where, as text (at most 300 characters); a point or an address is needed.
    contact_name, contact_phone : str, optional
        Personal data: stored, shown only to staff whose scope covers the report.
    photos : sequence of str
        Photo keys already stored by the caller.
    uploads : sequence of :class:`gridwatch.services.photos.Upload`
        Photos sent with it: checked by the photo store's rules (type, size,
        pixels; metadata such as GPS stripped), stored by content hash, listed
        as ``<sha256>.<ext>`` keys (at most 6 with ``photos``); a bad one refuses
        the whole report in one sentence.
    client_address : str, optional
        The sender's network address, for the per-address limit.
    gazetteer : callable, optional
        Returns the geocoding index (the web app caches one); default loads it
        from the database when an address must be placed.
    now : datetime, optional
        Naive UTC receipt time (tests; default now).

    Returns
    -------
    dict
        ``{"accepted": True, "received_on": "YYYY-MM-DD", "receipt": code}``:
        nothing of what is stored is shown back, only the tracking code
        (:func:`receipt_code`, which the staff pages show on the tip-off).

    Raises
    ------
    InvalidInputError
        No description, no place, a bad point, text too long, too many photos.
    RateLimitedError
        Too many reports from this address in 24 hours (HTTP 429).
    """
    text = _text(description, "description", MAX_DESCRIPTION, required=True)
    where = _text(address, "address", 300)
    name = _text(contact_name, "contact name", 100)
    phone = _text(contact_phone, "contact phone", 32)
    if phone and not _PHONE.match(phone):
        raise InvalidInputError(
            "The contact phone may hold only digits, spaces, + - ( ).",
            details={"field": "contact_phone"},
        )
    keys = [str(p).strip() for p in photos or () if str(p).strip()]
    clean = prepare_photos(ctx.settings, uploads, already=len(keys)) if uploads \
        else []  # fmt: skip
    if len(keys) + len(clean) > MAX_PHOTOS:
        raise InvalidInputError(f"Send at most {MAX_PHOTOS} photos.")
    x, y = _point(lng, lat, datum)
    if x is None and not where:
        raise InvalidInputError(
            "Say where it is: pick the place on the map or type an address.",
            details={"field": "location"},
        )
    now = now or utcnow()
    day = now.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ).date()
    if gazetteer is None:
        from gridwatch.services.geocoding import load_gazetteer

        def gazetteer():
            return load_gazetteer(ctx)

    digest = client_hash(ctx, client_address)
    if clean:  # files before rows (the photo store's order)
        store_files(ctx.settings, clean)
        keys += [f"{p.sha256}.{p.ext}" for p in clean]
    with ctx.transaction(PUBLIC) as s:
        conn = s.connection()
        _check_rate(conn, ctx, digest, now)
        r = routing.route(ctx, conn, lng=x, lat=y, address=where, day=day,
                          gazetteer=gazetteer)  # fmt: skip
        geom = None
        if r.lng is not None:
            geom = from_shape(shapely.Point(r.lng, r.lat), srid=SRID)
        row = Tipoff(
            received_at=now, received_on=day, description=text, address=where,
            geom=geom, source_datum=None if x is None else str(datum),
            location_precision=r.precision, routed_by=r.routed_by,
            town_code=r.town_code, grid_code=r.grid_code, warden_id=r.warden_id,
            contact_name=name, contact_phone=phone, photos=keys, status="new",
            client_hash=digest,
        )  # fmt: skip
        s.add(row)
        s.flush()
        receipt = receipt_code(ctx, row.id)
    return {"accepted": True, "received_on": day.isoformat(), "receipt": receipt}


def tipoff_photo(ctx: Context, actor: Actor, tipoff_id: int, key: str):
    """The stored file of one photo of a tip-off in the actor's scope.

    Returns a :class:`gridwatch.services.photos.PhotoFile` (``id`` 0: tip-off
    photos have no ``photos`` row, they belong to no enterprise).

    Raises
    ------
    NotFoundError
        No such tip-off in the scope, no such photo on it, or its file missing.
    """
    from gridwatch.services.photos import PhotoFile, photo_path

    require_role(actor, *READERS, action="Reading tip-offs")
    with ctx.engine.connect() as conn:
        row = load_tipoff(conn, actor, tipoff_id, the_day(None))
    keys = row.photos if isinstance(row.photos, list) else []
    if key not in keys or not re.fullmatch(r"[0-9a-f]{64}\.(jpg|png)", key):
        raise NotFoundError(f"Tip-off {tipoff_id} has no photo {key!r}.")
    sha, ext = key.split(".")
    path = photo_path(ctx.settings, sha, ext)
    if not path.is_file():
        raise NotFoundError(
            f"The file of photo {key} is missing from the data directory; restore "
            "the photos folder from the backup."
        )
    return PhotoFile(
        id=0, path=path, content_type="image/png" if ext == "png" else "image/jpeg",
        sha256=sha, size_bytes=path.stat().st_size,
        download_name=f"tipoff-{tipoff_id}-{keys.index(key) + 1}.{ext}",
    )  # fmt: skip


def tipoff_clause(actor: Actor, day: dt.date | None = None) -> sa.ColumnElement:
    """``WHERE`` limiting tip-offs to the actor's scope (module docstring)."""
    if actor.sees_district:
        return sa.true()
    if actor.role == "street_office":
        return sa.or_(
            Tipoff.town_code == actor.scope_code,
            code_within(Tipoff.grid_code, actor.scope_code),
        )
    if actor.role == "warden":
        return sa.or_(
            Tipoff.warden_id == actor.warden_id,
            Tipoff.grid_code.in_(warden_grid_codes(actor, day)),
        )
    return sa.false()


def escalated_clause(on: dt.date, after_days: int) -> sa.ColumnElement:
    """Still new on ``on`` more than ``after_days`` days after receipt (the rule
    of :func:`gridwatch.supervision.is_escalated`)."""
    last_calm = on - dt.timedelta(days=after_days + 1)
    return sa.and_(Tipoff.status == "new", Tipoff.received_on <= last_calm)


_COLUMNS = (
    Tipoff.id, Tipoff.received_at, Tipoff.received_on, Tipoff.description,
    Tipoff.address, Tipoff.location_precision, Tipoff.routed_by, Tipoff.town_code,
    Tipoff.grid_code, Tipoff.warden_id, Tipoff.contact_name, Tipoff.contact_phone,
    Tipoff.photos, Tipoff.status, Tipoff.handled_on, Tipoff.handled_by,
    Tipoff.enterprise_id, Tipoff.hazard_id, Tipoff.referred_to,
    Tipoff.dismissal_reason,
)  # fmt: skip


def _item(row, on: dt.date, after_days: int, wardens: dict) -> dict:
    out = plain({k: v for k, v in row._mapping.items() if k != "geom"})
    out["received_at"] = plain(to_local(row.received_at))
    point = shapely.from_wkb(bytes(row.geom)) if row.geom is not None else None
    out["lng"], out["lat"] = (point.x, point.y) if point is not None else (None, None)
    received = row.received_on
    escalate_on = received + dt.timedelta(days=after_days + 1)
    out.update(
        status_label=vocab.TIPOFF_STATUSES[row.status],
        routed_by_label=vocab.TIPOFF_ROUTES.get(row.routed_by),
        warden_username=wardens.get(row.warden_id),
        escalation_date=escalate_on.isoformat(),
        is_escalated=row.status == "new" and on >= escalate_on,
        days_waiting=(on - received).days if row.status == "new" else None,
    )
    return out


def _wardens(conn, ids) -> dict:
    from gridwatch.db.models import User, Warden

    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(conn.execute(
        sa.select(Warden.id, User.username).join(User, User.id == Warden.user_id)
        .where(Warden.id.in_(ids))).all())  # fmt: skip


def list_tipoffs(
    ctx: Context,
    actor: Actor,
    *,
    status=None,
    escalated: bool | None = None,
    grid: str | None = None,
    page: int = 1,
    per_page: int = 50,
    on: dt.date | None = None,
) -> Page:
    """Tip-offs in the actor's scope, oldest untriaged first.

    Parameters
    ----------
    status : str or list, optional
        ``vocab.TIPOFF_STATUSES`` codes (default all).
    escalated : bool, optional
        Only the escalated (True) or only the not escalated (False).

    Returns
    -------
    Page
        Items: ``id``, ``received_at`` (Asia/Shanghai, ISO), ``received_on``,
        ``description``, ``address``, ``lng``/``lat`` (WGS-84 or None),
        ``location_precision``, ``routed_by``/``routed_by_label``,
        ``town_code``, ``grid_code``, ``warden_id``, ``warden_username``,
        ``contact_name``, ``contact_phone``, ``photos`` (keys),
        ``status``/``status_label``, ``handled_on``, ``handled_by``,
        ``enterprise_id``, ``hazard_id``, ``referred_to``, ``dismissal_reason``,
        ``escalation_date``, ``is_escalated``, ``days_waiting``, ``receipt``
        (the sender's tracking code, :func:`receipt_code`).
    """
    require_role(actor, *READERS, action="Reading tip-offs")
    page, per_page = page_args(page, per_page)
    on = the_day(on)
    after = int(ctx.settings.tipoff_escalation_days)
    stmt = sa.select(*_COLUMNS, wkb(Tipoff.geom)).where(tipoff_clause(actor, on))
    statuses = choices(status, vocab.TIPOFF_STATUSES, "tip-off status")
    if statuses:
        stmt = stmt.where(Tipoff.status.in_(statuses))
    if escalated is not None:
        late = escalated_clause(on, after)
        stmt = stmt.where(late if escalated else sa.not_(late))
    if grid:
        stmt = stmt.where(Tipoff.grid_code == grid)
    with ctx.engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        ).scalar_one()
        rows = conn.execute(
            stmt.order_by((Tipoff.status != "new"), Tipoff.received_at, Tipoff.id)
            .limit(per_page).offset((page - 1) * per_page)
        ).all()  # fmt: skip
        names = _wardens(conn, [r.warden_id for r in rows])
    items = [_item(r, on, after, names) for r in rows]
    for item in items:
        item["receipt"] = receipt_code(ctx, item["id"])
    return Page(items, int(total), page, per_page, on)


def load_tipoff(conn, actor: Actor, tipoff_id: int, on: dt.date):
    """The row of a tip-off in the actor's scope, or NotFoundError."""
    row = conn.execute(
        sa.select(*_COLUMNS, wkb(Tipoff.geom)).where(
            Tipoff.id == tipoff_id, tipoff_clause(actor, on)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"There is no tip-off {tipoff_id} in your area.")
    return row


def events_of(conn, tipoff_id: int) -> list[dict]:
    rows = conn.execute(
        sa.select(TipoffEvent.__table__)
        .where(TipoffEvent.tipoff_id == tipoff_id)
        .order_by(TipoffEvent.id)
    ).all()
    out = []
    for r in rows:
        e = plain(dict(r._mapping))
        e["action_label"] = vocab.TIPOFF_ACTIONS.get(r.action)
        out.append(e)
    return out


def tipoff_detail(conn, ctx: Context, actor: Actor, tipoff_id: int, on) -> dict:
    """One tip-off's item with its events (see :func:`show_tipoff`)."""
    row = load_tipoff(conn, actor, tipoff_id, on)
    item = _item(row, on, int(ctx.settings.tipoff_escalation_days),
                 _wardens(conn, [row.warden_id]))  # fmt: skip
    item["events"] = events_of(conn, tipoff_id)
    item["receipt"] = receipt_code(ctx, tipoff_id)
    return item
