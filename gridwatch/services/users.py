"""Users and wardens: accounts, passwords, sign-in checks, roles and scopes.

Passwords are hashed with werkzeug's scrypt; an account created without a usable
password (the demo's other wardens) has :data:`UNUSABLE` and cannot sign in until
an admin sets one. Accounts an admin creates, and passwords an admin resets, are
marked ``must_change_password``: the web app lets such a user do nothing but
choose a new password (the admin saw the old one).

A user as the web app sees it is a plain dict (:func:`_session_dict`): id,
username, full_name, role, scope_code, warden_id, language, must_change_password
and ``session_key``, a digest of the password hash that changes with the password,
so a reset ends every session opened with the old one.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gridwatch.db.models import AdminUnit, User, Warden
from gridwatch.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import code_within
from gridwatch.vocab import ROLES

UNUSABLE = "!"  # no hash method starts with "!": check_password_hash is always False
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10
#: Roles whose scope is one town/street (the code of a loaded town).
SCOPED_ROLES = ("warden", "street_office")
LANGUAGES = ("zh_CN", "en")


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInputError(f"Passwords need at least {MIN_PASSWORD} characters.")
    return generate_password_hash(password)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def validate_user(username: str, role: str, scope_code: str | None) -> None:
    """Check the shape of an account's username, role and scope (not the database)."""
    if not _USERNAME.match(username or ""):
        raise InvalidInputError(
            f"Username {username!r} must be 3-64 letters, digits, '.', '_' or '-'."
        )
    if role not in ROLES:
        raise InvalidInputError(
            f"Role {role!r} is unknown; use one of {', '.join(ROLES)}."
        )
    if role in SCOPED_ROLES and not scope_code:
        raise InvalidInputError(
            f"A {role} user needs the code of their town/street, e.g. 440604011.",
            details={"field": "scope_code"},
        )
    if role not in SCOPED_ROLES and scope_code:
        raise InvalidInputError(
            f"A {role} account covers the whole district; leave its town/street empty.",
            details={"field": "scope_code"},
        )


def check_town(session: Session, scope_code: str | None) -> None:
    """Refuse a scope that is not a loaded town/street (admin_units, level town)."""
    if scope_code is None:
        return
    found = session.scalar(
        sa.select(AdminUnit.code).where(
            AdminUnit.code == scope_code, AdminUnit.level == "town"
        )
    )
    if found is None:
        raise InvalidInputError(
            f"{scope_code} is not a loaded town/street; pick one of the towns "
            "loaded with the boundaries.",
            details={"field": "scope_code", "hint": "gridwatch boundaries list"},
        )


def loaded_towns(ctx: Context, actor: Actor) -> list[dict]:
    """The towns/streets loaded with the boundaries: ``[{code, name}]`` by code
    (reference data: any role may read it)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"actor must be an Actor, got {type(actor).__name__}")
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AdminUnit.code, AdminUnit.name)
            .where(AdminUnit.level == "town")
            .order_by(AdminUnit.code)
        ).all()
    return [{"code": r.code, "name": r.name} for r in rows]


def session_key(password_hash: str) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _session_dict(user: User, warden_id: int | None) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "scope_code": user.scope_code,
        "warden_id": warden_id,
        "language": user.language,
        "must_change_password": bool(user.must_change_password),
        "session_key": session_key(user.password_hash),
    }


def _warden_id(session: Session, user_id: int) -> int | None:
    return session.scalar(sa.select(Warden.id).where(Warden.user_id == user_id))


def _get(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(
            f"No user called {username}.", details={"hint": "gridwatch users list"}
        )
    return user


def add_user(
    ctx: Context,
    actor: Actor,
    username: str,
    full_name: str,
    role: str,
    scope_code: str | None = None,
    password: str | None = None,
    *,
    phone: str | None = None,
    must_change: bool = True,
) -> str | None:
    """Create an account; return the password if one was generated.

    ``scope_code`` must be a loaded town for wardens and street offices.
    ``must_change`` (default) makes the user choose a new password on first
    sign-in.

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin (or the command line).
    InvalidInputError
        Bad username, unknown role, missing or unloaded town.
    ConflictError
        The username is taken.
    """
    require_role(actor, "admin", action="Creating accounts")
    validate_user(username, role, scope_code)
    generated = None
    if password is None:
        password = generated = new_password()
    with ctx.transaction(actor) as s:
        check_town(s, scope_code)
        if s.scalar(sa.select(User.id).where(User.username == username)):
            raise ConflictError(f"User {username} already exists; pick another name.")
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            scope_code=scope_code,
            password_hash=hash_password(password),
            must_change_password=must_change,
        )
        s.add(user)
        if role == "warden":
            s.flush()
            s.add(Warden(user_id=user.id, street_code=scope_code, phone=phone))
    return generated


def set_password(
    ctx: Context, actor: Actor, username: str, password: str | None = None
) -> str | None:
    """Give ``username`` a new password (generated unless given); admins only.

    The user must change it on their next sign-in, and their open sessions end.
    """
    require_role(actor, "admin", action="Resetting passwords")
    generated = None
    if password is None:
        password = generated = new_password()
    with ctx.transaction(actor) as s:
        user = _get(s, username)
        user.password_hash = hash_password(password)
        user.must_change_password = True
    return generated


def change_own_password(ctx: Context, actor: Actor, current: str, new: str) -> dict:
    """The acting user replaces their own password; returns their session dict.

    Raises
    ------
    InvalidInputError
        The current password is wrong, or the new one is too short or the same.
    """
    if actor.user_id is None:
        raise PermissionDeniedError("Only a signed-in user can change a password.")
    with ctx.transaction(actor) as s:
        user = s.get(User, actor.user_id)
        if user is None or not user.is_active:
            raise NotFoundError("Your account no longer exists or is deactivated.")
        if not check_password_hash(user.password_hash, current or ""):
            raise InvalidInputError(
                "The current password is wrong.", details={"field": "current"}
            )
        if secrets.compare_digest(current or "", new or ""):
            raise InvalidInputError(
                "Choose a password different from the current one.",
                details={"field": "new"},
            )
        user.password_hash = hash_password(new)
        user.must_change_password = False
        s.flush()
        return _session_dict(user, _warden_id(s, user.id))


def _active_admins(session: Session) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(User.role == "admin", User.is_active.is_(True))
    )


def set_active(ctx: Context, actor: Actor, username: str, active: bool) -> None:
    """Deactivate or reactivate an account; a deactivated user cannot sign in and
    their open sessions end. The last active admin cannot be deactivated."""
    require_role(actor, "admin", action="Deactivating accounts")
    with ctx.transaction(actor) as s:
        user = _get(s, username)
        if not active and user.username == actor.username:
            raise ConflictError("You cannot deactivate your own account.")
        if not active and user.role == "admin" and _active_admins(s) <= 1:
            raise ConflictError("This is the last active admin; keep it active.")
        user.is_active = active


def update_user(
    ctx: Context,
    actor: Actor,
    username: str,
    *,
    role: str,
    scope_code: str | None,
    full_name: str | None = None,
) -> None:
    """Change an account's role and scope (and name); admins only.

    A new warden gets a warden record; a warden's record follows the new scope.
    """
    require_role(actor, "admin", action="Changing roles")
    scope_code = scope_code or None
    with ctx.transaction(actor) as s:
        user = _get(s, username)
        validate_user(user.username, role, scope_code)
        check_town(s, scope_code)
        if user.role == "admin" and role != "admin" and _active_admins(s) <= 1:
            raise ConflictError("This is the last active admin; keep its role.")
        user.role, user.scope_code = role, scope_code
        if full_name:
            user.full_name = full_name
        warden = s.scalar(sa.select(Warden).where(Warden.user_id == user.id))
        if role == "warden" and warden is None:
            s.add(Warden(user_id=user.id, street_code=scope_code))
        elif role == "warden" and warden.street_code != scope_code:
            warden.street_code = scope_code


def set_language(ctx: Context, actor: Actor, language: str) -> None:
    """The acting user's interface language (zh_CN or en)."""
    if language not in LANGUAGES:
        raise InvalidInputError(f"Language {language!r}: use zh_CN or en.")
    if actor.user_id is None:
        return
    with ctx.transaction(actor) as s:
        user = s.get(User, actor.user_id)
        if user is not None:
            user.language = language


def authenticate(ctx: Context, username: str, password: str) -> dict | None:
    """The session dict of an active user whose password matches, else None."""
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active or user.password_hash == UNUSABLE:
            # hash anyway so a wrong username takes as long as a wrong password
            check_password_hash(_dummy_hash(), password or "")
            return None
        if not check_password_hash(user.password_hash, password or ""):
            return None
        return _session_dict(user, _warden_id(s, user.id))


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("timing-equaliser")


def load_session_user(ctx: Context, user_id: int, key: str | None) -> dict | None:
    """The session dict of user ``user_id`` while active and while ``key`` still
    matches their password (None otherwise: the session ends)."""
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        user = s.get(User, user_id)
        if user is None or not user.is_active or user.password_hash == UNUSABLE:
            return None
        if key is not None and not secrets.compare_digest(
            key, session_key(user.password_hash)
        ):
            return None
        return _session_dict(user, _warden_id(s, user.id))


def actor_of(user: dict) -> Actor:
    """The :class:`Actor` of a session dict (raises PermissionDeniedError when a
    warden account has no warden record)."""
    try:
        return Actor(
            username=user["username"],
            role=user["role"],
            scope_code=user["scope_code"],
            user_id=user["id"],
            warden_id=user["warden_id"],
        )
    except ValueError:
        raise PermissionDeniedError(
            "Your account has no town/street or warden record; ask an admin to "
            "set its role and scope again."
        ) from None


def _user_filter(stmt, role, username, search):
    if role:
        stmt = stmt.where(User.role == role)
    if username is not None:
        stmt = stmt.where(User.username == username)
    if search and search.strip():
        q = search.strip()
        stmt = stmt.where(
            sa.or_(
                User.username.icontains(q, autoescape=True),
                User.full_name.icontains(q, autoescape=True),
                code_within(User.scope_code, q),
            )
        )
    return stmt


def list_users(
    ctx: Context,
    actor: Actor,
    role: str | None = None,
    username: str | None = None,
    *,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """Accounts (admins), by role then username: all, one ``role``, the one
    ``username``, or those whose username, name or town code match ``search``;
    ``limit``/``offset`` page the list."""
    require_role(actor, "admin", action="Listing accounts")
    stmt = (
        sa.select(
            User.username,
            User.full_name,
            User.role,
            User.scope_code,
            User.is_active,
            User.must_change_password,
            User.password_hash,
            User.created_at,
            Warden.phone,
        )
        .outerjoin(Warden, Warden.user_id == User.id)
        .order_by(User.role, User.username)
    )
    stmt = _user_filter(stmt, role, username, search)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "username": r.username,
            "full_name": r.full_name,
            "role": r.role,
            "scope_code": r.scope_code,
            "phone": r.phone,
            "is_active": bool(r.is_active),
            "must_change_password": bool(r.must_change_password),
            "can_log_in": r.password_hash != UNUSABLE,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def count_users(
    ctx: Context, actor: Actor, role: str | None = None, search: str | None = None
) -> int:
    """How many accounts :func:`list_users` lists unpaged."""
    require_role(actor, "admin", action="Listing accounts")
    stmt = _user_filter(sa.select(sa.func.count(User.id)), role, None, search)
    with ctx.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def get_user(ctx: Context, actor: Actor, username: str) -> dict:
    """One account as :func:`list_users` shows it (admins)."""
    rows = list_users(ctx, actor, username=username)
    if not rows:
        raise NotFoundError(f"No user called {username}.")
    return rows[0]
