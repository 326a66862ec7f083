"""Personal API tokens for scripts: created and revoked by their owner or an admin.

A token is ``gw_<prefix>_<secret>``: ``prefix`` (8 hex characters, stored in clear)
finds the row; only the SHA-256 of the whole token is stored, so a copy of the
database does not hand out working tokens, and the token is shown once, when it is
created. SHA-256 without a salt or a slow hash is enough here (unlike passwords):
the secret is 32 random bytes, so there is nothing to guess by brute force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from gridwatch.db.models import ApiToken, User
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.users import load_session_user
from gridwatch.timeutil import utcnow

PREFIX = "gw_"
#: last_used_at is written at most this often per token (not on every request)
_TOUCH_EVERY = dt.timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_manage(actor: Actor, username: str) -> None:
    if actor.role in ("admin", "system") or actor.username == username:
        return
    raise PermissionDeniedError(
        "Only the account's owner or an admin may manage its API tokens."
    )


def create_token(ctx: Context, actor: Actor, username: str, name: str) -> dict:
    """Create a token for ``username``; returns ``{id, prefix, name, token}`` with
    the token in clear (shown once; never stored).

    Raises
    ------
    PermissionDeniedError
        Unless the actor is the owner or an admin.
    InvalidInputError
        Empty or over-long name.
    NotFoundError
        No such (active) user.
    """
    _may_manage(actor, username)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInputError(
            "Give the token a name of 1-100 characters (what script uses it).",
            details={"field": "name"},
        )
    with ctx.transaction(actor) as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active:
            raise NotFoundError(f"No active user called {username}.")
        prefix = secrets.token_hex(4)
        while s.scalar(sa.select(ApiToken.id).where(ApiToken.prefix == prefix)):
            prefix = secrets.token_hex(4)
        token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiToken(
            user_id=user.id,
            prefix=prefix,
            token_hash=_digest(token),
            name=name,
            created_by=actor.username,
        )
        s.add(row)
        s.flush()
        return {"id": row.id, "prefix": prefix, "name": name, "token": token}


def list_tokens(ctx: Context, actor: Actor, username: str) -> list[dict]:
    """The tokens of ``username`` (never their secrets), newest first."""
    _may_manage(actor, username)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                ApiToken.id,
                ApiToken.prefix,
                ApiToken.name,
                ApiToken.created_at,
                ApiToken.created_by,
                ApiToken.last_used_at,
                ApiToken.revoked_at,
            )
            .join(User, User.id == ApiToken.user_id)
            .where(User.username == username)
            .order_by(ApiToken.id.desc())
        ).all()
    return [dict(r._mapping) for r in rows]


def revoke_token(ctx: Context, actor: Actor, token_id: int) -> None:
    """Revoke a token (kept, marked revoked); the owner or an admin.

    A token of someone else looks like a missing one to a non-admin (404).
    """
    with ctx.transaction(actor) as s:
        row = s.get(ApiToken, token_id)
        owner = s.get(User, row.user_id) if row is not None else None
        if owner is None or not (
            actor.role in ("admin", "system") or owner.username == actor.username
        ):
            raise NotFoundError(f"There is no API token {token_id} of yours.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()


def user_for_token(ctx: Context, token: str) -> dict | None:
    """The session dict of the active owner of a valid, unrevoked token, else None."""
    parts = (token or "").split("_")
    if len(parts) < 3 or not token.startswith(PREFIX) or len(parts[1]) != 8:
        return None
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(
                ApiToken.id,
                ApiToken.user_id,
                ApiToken.token_hash,
                ApiToken.last_used_at,
            ).where(ApiToken.prefix == parts[1], ApiToken.revoked_at.is_(None))
        ).first()
    if row is None or not secrets.compare_digest(row.token_hash, _digest(token)):
        return None
    user = load_session_user(ctx, row.user_id, None)
    if user is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        # bookkeeping, not a change of data: Core, so not in the audit log
        with ctx.engine.begin() as conn:
            conn.execute(
                sa.update(ApiToken)
                .where(ApiToken.id == row.id)
                .values(last_used_at=now)
            )
    return user
