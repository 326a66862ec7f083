"""The one error handler: GridwatchError and HTTP errors as HTML or JSON.

JSON (``{"error": {code, message, details}}``) under ``/api/`` always, elsewhere
when the client's ``Accept`` prefers it; HTML otherwise. Anything unknown is
logged with its traceback and shown as a generic 500 (datasette
``handle_exception.py``).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gridwatch.errors import GridwatchError
from gridwatch.web.session import SignInRequired

log = logging.getLogger("gridwatch.web")

#: HTTP status → (stable code, message shown when the exception has none of ours)
_HTTP = {
    400: ("bad_request", _l("请求无效。")),
    401: ("unauthorized", _l("请先登录。")),
    403: ("forbidden", _l("您无权访问此页面。")),
    404: ("not_found", _l("找不到该页面或记录。")),
    405: ("method_not_allowed", _l("不支持此请求方法。")),
    413: ("too_large", _l("上传的内容太大。")),
    422: ("invalid_input", _l("提交的数据有误。")),
    429: ("too_many_requests", _l("尝试次数过多，请稍后再试。")),
    500: ("internal_error", _l("服务器出错，请稍后再试。")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(status: int, code: str, message: str, details: dict | None = None):
    body = {"code": code, "message": message, "details": details or {}}
    if wants_json():
        return make_response(jsonify(error=body), status)
    try:
        return make_response(
            render_template("error.html", status=status, error=body), status
        )
    except Exception:  # the error page itself failed: say it plainly, log why
        log.exception("error page failed for %s", status)
        text = f"{status} {code}: {message}"
        return make_response(
            text, status, {"Content-Type": "text/plain; charset=utf-8"}
        )


def _gridwatch_error(exc: GridwatchError):
    if exc.http_status >= 500:
        log.error("%s: %s", exc.code, exc.user_msg)
    return render_error(exc.http_status, exc.code, exc.user_msg, exc.details)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    code, default = _HTTP.get(status, (f"http_{status}", exc.name))
    details: dict = {}
    if isinstance(exc, CSRFError):
        code, default = (
            "csrf_failed",
            _l("表单已过期或缺少安全令牌，请刷新页面后重试。"),
        )
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs/flask-smorest validation errors
        details["fields"] = data["messages"]
    response = render_error(status, code, str(default), details)
    if status == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 429:  # Flask-Limiter's Retry-After and limit headers
        extra = exc.get_response().headers
        for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Reset"):
            if name in extra:
                response.headers[name] = extra[name]
    return response


def _sign_in_required(_exc: SignInRequired):
    response = render_error(
        401, "unauthorized", _("请先登录，或在请求中附带 API 令牌。")
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="gridwatch"'
    return response


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500, "internal_error", str(_HTTP[500][1]))


def register_error_handlers(app: Flask) -> None:
    """Install the handlers (after flask-smorest, whose own ones they replace)."""
    app.register_error_handler(GridwatchError, _gridwatch_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SignInRequired, _sign_in_required)
    app.register_error_handler(Exception, _unexpected)
