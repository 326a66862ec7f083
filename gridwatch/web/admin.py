"""Admin pages (/admin): accounts, role and scope, passwords, tokens, bulk import."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gridwatch.errors import GridwatchError
from gridwatch.services import tokens as token_svc
from gridwatch.services import users as user_svc
from gridwatch.services.user_import import import_users
from gridwatch.spreadsheets import neutralise
from gridwatch.web import oneshot
from gridwatch.web.extensions import gw_context
from gridwatch.web.forms import (
    ConfirmForm,
    EditUserForm,
    ImportUsersForm,
    TokenForm,
    UserForm,
)
from gridwatch.web.session import current_actor, guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, ["admin"])
#: rows per web import: every password is hashed with scrypt (~0.1-0.2 s each on
#: a small server), so larger files go through 'gridwatch users import'
MAX_IMPORT_ROWS = 300


PAGE = 50


@bp.route("/")
def users():
    """Accounts, 50 a page: optionally one role, or matching a search."""
    ctx, actor = gw_context(), current_actor()
    role = request.args.get("role") or None
    q = (request.args.get("q") or "").strip()[:64] or None
    page = max(request.args.get("page", 1, type=int), 1)
    total = user_svc.count_users(ctx, actor, role, q)
    rows = user_svc.list_users(
        ctx, actor, role, search=q, limit=PAGE, offset=(page - 1) * PAGE
    )
    return render_template(
        "admin/users.html",
        users=rows,
        role=role,
        q=q,
        page=page,
        pages=max(1, -(-total // PAGE)),
        total=total,
        towns=_town_names(),
    )


def _town_names() -> dict[str, str]:
    return {
        t["code"]: t["name"]
        for t in user_svc.loaded_towns(gw_context(), current_actor())
    }


@bp.route("/users/new", methods=["GET", "POST"])
def add_user():
    """Add an account; the generated password is shown once."""
    ctx = gw_context()
    form = UserForm(user_svc.loaded_towns(ctx, current_actor()))
    if form.validate_on_submit():
        try:
            password = user_svc.add_user(
                ctx,
                current_actor(),
                form.username.data.strip(),
                form.full_name.data.strip(),
                form.role.data,
                form.scope_code.data or None,
                phone=form.phone.data or None,
            )
        except GridwatchError as exc:
            _field_error(form, exc, "username")
        else:
            return render_template(
                "admin/password_once.html",
                username=form.username.data.strip(),
                password=password,
                created=True,
            )
    return render_template("admin/user_new.html", form=form)


def _field_error(form, exc: GridwatchError, default: str) -> None:
    field = getattr(form, exc.details.get("field", default), None) or getattr(
        form, default
    )
    field.errors = [*field.errors, exc.user_msg]


@bp.route("/users/<username>", methods=["GET", "POST"])
def user(username: str):
    """One account: edit role, scope and name; actions; API tokens."""
    ctx, actor = gw_context(), current_actor()
    data = user_svc.get_user(ctx, actor, username)
    form = EditUserForm(user_svc.loaded_towns(ctx, current_actor()), data=data)
    if form.validate_on_submit():
        try:
            user_svc.update_user(
                ctx,
                actor,
                username,
                role=form.role.data,
                scope_code=form.scope_code.data or None,
                full_name=form.full_name.data.strip(),
            )
        except GridwatchError as exc:
            _field_error(form, exc, "role")
        else:
            flash(_("已保存。"), "ok")
            return redirect(url_for("admin.user", username=username))
    return render_template(
        "admin/user.html",
        user=data,
        towns=_town_names(),
        form=form,
        confirm=ConfirmForm(),
        token_form=TokenForm(formdata=None),
        tokens=token_svc.list_tokens(ctx, actor, username),
    )


@bp.route("/users/<username>/deactivate", methods=["POST"])
def deactivate(username: str):
    return _set_active(username, False)


@bp.route("/users/<username>/reactivate", methods=["POST"])
def reactivate(username: str):
    return _set_active(username, True)


def _set_active(username: str, active: bool):
    if ConfirmForm().validate_on_submit():
        try:
            user_svc.set_active(gw_context(), current_actor(), username, active)
        except GridwatchError as exc:
            if exc.http_status != 409:
                raise
            flash(exc.user_msg, "error")
        else:
            flash(_("已启用。") if active else _("已停用。"), "ok")
    return redirect(url_for("admin.user", username=username))


@bp.route("/users/<username>/reset-password", methods=["POST"])
def reset_password(username: str):
    """A new generated password, shown once; the user must change it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = user_svc.set_password(gw_context(), current_actor(), username)
    return render_template(
        "admin/password_once.html", username=username, password=password
    )


@bp.route("/users/<username>/tokens", methods=["POST"])
def new_token(username: str):
    """An API token for this account, shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("请填写令牌名称。"), "error")
        return redirect(url_for("admin.user", username=username))
    created = token_svc.create_token(
        gw_context(), current_actor(), username, form.name.data
    )
    return render_template("admin/token_once.html", username=username, token=created)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        token_svc.revoke_token(gw_context(), current_actor(), token_id)
        flash(_("令牌已吊销。"), "ok")
    username = request.form.get("username", "")
    if username:
        return redirect(url_for("admin.user", username=username))
    return redirect(url_for("admin.users"))


@bp.route("/users/import", methods=["GET", "POST"])
def import_users_page():
    """Bulk import from XLSX/CSV; passwords offered as a one-time download."""
    form = ImportUsersForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form)
    ctx, actor = gw_context(), current_actor()
    upload = form.file.data
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"users{suffix if suffix in ('.xlsx', '.csv') else '.csv'}"
        upload.save(path)
        try:
            result = import_users(ctx, actor, path, max_rows=MAX_IMPORT_ROWS)
        except GridwatchError as exc:
            form.file.errors = [exc.user_msg]
            return render_template("admin/import.html", form=form), exc.http_status
    key = None
    if result.created:
        key = oneshot.put(
            ctx.settings.data_path, actor.username, "passwords.csv", _csv(result)
        )
    return render_template("admin/import_result.html", result=result, key=key)


def _csv(result) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["行号", "用户名", "姓名", "角色", "所属镇街", "初始密码"])
    for r in result.created:
        w.writerow(
            [  # names are admin-typed text: never a formula in Excel (OWASP)
                r["row"],
                neutralise(r["username"]),
                neutralise(r["full_name"]),
                r["role"],
                r["scope_code"] or "",
                r["password"],
            ]
        )
    # UTF-8 with BOM: Excel/WPS on Windows then read the Chinese correctly
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@bp.route("/users/import/<key>")
def import_download(key: str):
    """The passwords of an import, once."""
    got = oneshot.take(gw_context().settings.data_path, current_actor().username, key)
    if got is None:
        abort(404)
    filename, content = got
    return Response(
        content,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
