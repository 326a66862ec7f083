"""Users and wardens: creation, password hashing and checking, listing.

Passwords are hashed with werkzeug's scrypt; an account created without a password
gets an unusable hash and cannot log in until ``gridwatch users set-password``.
"""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gridwatch.db.models import User, Warden
from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.vocab import ROLES

UNUSABLE = "!"  # no hash method starts with "!": check_password_hash is always False
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"Passwords need at least {MIN_PASSWORD} characters.")
    return generate_password_hash(password)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def validate_user(username: str, role: str, scope_code: str | None) -> None:
    if not _USERNAME.match(username or ""):
        raise InvalidInputError(
            f"Username {username!r} must be 3-64 letters, digits, '.', '_' or '-'."
        )
    if role not in ROLES:
        raise InvalidInputError(
            f"Role {role!r} is unknown; use one of {', '.join(ROLES)}."
        )
    if role in ("warden", "street_office") and not scope_code:
        raise InvalidInputError(
            f"A {role} user needs the code of their town/street (--scope 440604011)."
        )


def add_user(
    ctx: Context,
    actor: Actor,
    username: str,
    full_name: str,
    role: str,
    scope_code: str | None = None,
    password: str | None = None,
) -> str | None:
    """Create a user; return the password if one was generated."""
    require_role(actor, "admin", action="Creating accounts")
    validate_user(username, role, scope_code)
    generated = None
    if password is None:
        password = generated = new_password()
    with ctx.transaction(actor) as s:
        if s.scalar(sa.select(User.id).where(User.username == username)):
            raise ConflictError(f"User {username} already exists; pick another name.")
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            scope_code=scope_code,
            password_hash=hash_password(password),
        )
        s.add(user)
        if role == "warden":
            s.flush()
            s.add(Warden(user_id=user.id, street_code=scope_code))
    return generated


def set_password(
    ctx: Context, actor: Actor, username: str, password: str | None = None
) -> str | None:
    """Give ``username`` a new password (generated unless given); admins only."""
    require_role(actor, "admin", action="Resetting passwords")
    generated = None
    if password is None:
        password = generated = new_password()
    with ctx.transaction(actor) as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(
                f"No user called {username}; see 'gridwatch users list'."
            )
        user.password_hash = hash_password(password)
    return generated


def authenticate(ctx: Context, username: str, password: str) -> dict | None:
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active or user.password_hash == UNUSABLE:
            return None
        if not check_password_hash(user.password_hash, password):
            return None
        return {
            "id": user.id,
            "username": user.username,
            "role": user.role,
            "scope_code": user.scope_code,
            "full_name": user.full_name,
        }


def list_users(ctx: Context, actor: Actor, role: str | None = None) -> list[dict]:
    require_role(actor, "admin", action="Listing accounts")
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        stmt = sa.select(User).order_by(User.role, User.username)
        if role:
            stmt = stmt.where(User.role == role)
        return [
            {
                "username": u.username,
                "full_name": u.full_name,
                "role": u.role,
                "scope_code": u.scope_code,
                "can_log_in": u.password_hash != UNUSABLE,
            }
            for u in s.scalars(stmt)
        ]
