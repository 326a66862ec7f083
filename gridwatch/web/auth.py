"""Sign in and out, the forced password change, language, the user's own tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from gridwatch.errors import InvalidInputError
from gridwatch.services.tokens import create_token, list_tokens, revoke_token
from gridwatch.services.users import (
    authenticate,
    change_own_password,
    set_language,
)
from gridwatch.web.extensions import gw_context
from gridwatch.web.forms import (
    ChangePasswordForm,
    ConfirmForm,
    LanguageForm,
    SignInForm,
    TokenForm,
)
from gridwatch.web.i18n import LANGUAGES
from gridwatch.web.nav import HOME
from gridwatch.web.session import WebUser, is_safe_next

bp = Blueprint("auth", __name__)


def _home() -> str:
    return url_for(HOME.get(current_user.role, "auth.account"))


@bp.route("/")
def index():
    """Signed in: the role's home; signed out: the sign-in page."""
    if current_user.is_authenticated:
        return redirect(_home())
    return redirect(url_for("auth.sign_in"))


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    """Password sign-in (rate-limited per address and per username)."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = SignInForm(next=request.args.get("next"))
    failed = False
    if form.validate_on_submit():
        user = authenticate(
            gw_context(), form.username.data.strip(), form.password.data
        )
        if user is not None:
            lang = session.get("lang")
            session.clear()  # nothing from before the sign-in carries over
            if lang:
                session["lang"] = lang
            session.permanent = True
            login_user(WebUser(user))
            nxt = form.next.data
            return redirect(nxt if is_safe_next(nxt) else _home())
        failed = True
    status = 401 if failed else 200
    return render_template("auth/sign_in.html", form=form, failed=failed), status


@bp.route("/logout", methods=["POST"])
def sign_out():
    if ConfirmForm().validate_on_submit():
        logout_user()
        session.pop("_fresh", None)
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Choose a new password (forced after an admin created or reset it)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = change_own_password(
                gw_context(), current_user.actor, form.current.data, form.new.data
            )
        except InvalidInputError as exc:
            field = exc.details.get("field", "current")
            getattr(form, field, form.current).errors.append(_(exc.user_msg))
        else:
            login_user(WebUser(user))  # the session key follows the new password
            flash(_("密码已更新。"), "ok")
            return redirect(_home())
    forced = current_user.must_change_password
    return render_template("auth/change_password.html", form=form, forced=forced)


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language (kept on the account when signed in)."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session["lang"] = form.lang.data
        if current_user.is_authenticated and not current_user.via_token:
            set_language(gw_context(), current_user.actor, form.lang.data)
    nxt = form.next.data
    return redirect(nxt if is_safe_next(nxt) else url_for("auth.index"))


@bp.route("/account")
@login_required
def account():
    """The user's account: password and personal API tokens."""
    actor = current_user.actor
    rows = list_tokens(gw_context(), actor, actor.username)
    return render_template(
        "auth/account.html", tokens=rows, form=TokenForm(), confirm=ConfirmForm()
    )


@bp.route("/account/tokens", methods=["POST"])
@login_required
def new_token():
    """Create a personal API token; the page shows it once."""
    form = TokenForm()
    actor = current_user.actor
    created = None
    if form.validate_on_submit():
        created = create_token(gw_context(), actor, actor.username, form.name.data)
    rows = list_tokens(gw_context(), actor, actor.username)
    return render_template(
        "auth/account.html",
        tokens=rows,
        form=TokenForm(formdata=None),
        confirm=ConfirmForm(),
        created=created,
    )


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    if ConfirmForm().validate_on_submit():
        revoke_token(gw_context(), current_user.actor, token_id)
        flash(_("令牌已吊销。"), "ok")
    return redirect(url_for("auth.account"))
