"""Who is signed in: the Flask-Login user, its Actor, and the role guards.

A browser signs in with a password (a session cookie); a script sends a personal
API token (``Authorization: Bearer gw_…``), accepted under ``/api/`` only. Both
load the same user dict from :mod:`gridwatch.services.users`, checked on every
request: a deactivated user, or one whose password was reset, is signed out.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, g, redirect, request, url_for
from flask_babel import gettext
from flask_login import UserMixin, current_user

from gridwatch.errors import PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.tokens import user_for_token
from gridwatch.services.users import actor_of, load_session_user
from gridwatch.web.extensions import gw_context, login_manager

ALL_ROLES = ("warden", "street_office", "bureau", "admin")


class WebUser(UserMixin):
    """The signed-in user (a session dict from the users service)."""

    def __init__(self, data: dict, via_token: bool = False):
        self.data = data
        self.via_token = via_token

    def get_id(self) -> str:
        # the session key changes with the password: a reset ends old sessions
        return f"{self.data['id']}:{self.data['session_key']}"

    def __getattr__(self, name: str):
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def actor(self) -> Actor:
        return actor_of(self.data)


@login_manager.user_loader
def _load(session_id: str) -> WebUser | None:
    user_id, _, key = session_id.partition(":")
    if not user_id.isdigit() or not key:
        return None
    data = load_session_user(gw_context(), int(user_id), key)
    return WebUser(data) if data else None


@login_manager.request_loader
def _load_from_token(req) -> WebUser | None:
    auth = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not auth.lower().startswith("bearer "):
        return None
    data = user_for_token(gw_context(), auth[7:].strip())
    return WebUser(data, via_token=True) if data else None


class SignInRequired(Exception):
    """Raised by a guard for a signed-out request (pages redirect, the API 401s)."""


def current_actor() -> Actor:
    """The acting user of this request (set by the blueprint's guard)."""
    actor = g.get("actor")
    if actor is None:
        raise RuntimeError("no guard ran: register the blueprint with guard()")
    return actor


def guard(bp: Blueprint, roles: Iterable[str], *, api: bool = False) -> None:
    """Let only signed-in users of ``roles`` into ``bp``; set ``g.actor``.

    Signed out: pages redirect to the sign-in page, the API answers 401. Another
    role: 403 (the one error handler renders it).
    """
    allowed = tuple(roles)

    @bp.before_request
    def _guard():
        if not current_user.is_authenticated:
            if api:
                raise SignInRequired()
            return redirect(url_for("auth.sign_in", next=_here()))
        if current_user.role not in allowed:
            raise PermissionDeniedError(
                gettext("此页面不属于您的角色。"),
                details={"role": current_user.role, "allowed": list(allowed)},
            )
        g.actor = current_user.actor
        return None


def _here() -> str:
    """This request's path and query, to come back to after signing in."""
    full = request.full_path
    return full.removesuffix("?")


def is_safe_next(target: str | None) -> bool:
    """A ``next`` URL that stays on this site (a path, never //host or a scheme)."""
    return (
        bool(target) and target.startswith("/") and not target.startswith(("//", "/\\"))
    )
