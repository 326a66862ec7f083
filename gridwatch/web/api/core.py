"""Who am I, and my personal API tokens."""

from __future__ import annotations

from flask_login import current_user

from gridwatch.services.tokens import create_token, list_tokens, revoke_token
from gridwatch.timeutil import to_local
from gridwatch.web.api import GUARDED, area, errors
from gridwatch.web.api.schemas import Me, Token, TokenCreate, TokenCreated
from gridwatch.web.extensions import gw_context
from gridwatch.web.i18n import label
from gridwatch.web.session import ALL_ROLES, current_actor

blp = area("api_account", __name__, ALL_ROLES, "The signed-in account")


@blp.route("/me")
@blp.response(200, Me)
@errors(blp, *GUARDED)
def me():
    """The account making the request."""
    return {
        "username": current_user.username,
        "full_name": current_user.full_name,
        "role": current_user.role,
        "role_label": label("ROLES", current_user.role),
        "scope_code": current_user.scope_code,
        "language": current_user.language,
        "via_token": current_user.via_token,
    }


@blp.route("/me/tokens")
@blp.response(200, Token(many=True))
@errors(blp, *GUARDED)
def tokens():
    """Your API tokens (never their secrets)."""
    actor = current_actor()
    rows = list_tokens(gw_context(), actor, actor.username)
    # stored naive UTC; the API says so (RFC 3339 needs the offset): Asia/Shanghai
    stamps = ("created_at", "last_used_at", "revoked_at")
    return [{**r, **{k: to_local(r[k]) for k in stamps}} for r in rows]


@blp.route("/me/tokens", methods=["POST"])
@blp.arguments(TokenCreate)
@blp.response(201, TokenCreated)
@errors(blp, 400, 422, *GUARDED)
def new_token(body):
    """Create an API token for yourself; the response holds it once."""
    actor = current_actor()
    return create_token(gw_context(), actor, actor.username, body["name"])


@blp.route("/me/tokens/<id:token_id>", methods=["DELETE"])
@blp.response(204)
@errors(blp, 404, *GUARDED)
def delete_token(token_id: int):
    """Revoke one of your API tokens."""
    revoke_token(gw_context(), current_actor(), token_id)
