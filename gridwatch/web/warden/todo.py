"""待办: the warden's enterprises by urgency, with filters and paging."""

from __future__ import annotations

from flask import render_template, request

from gridwatch import vocab
from gridwatch.services.todo import todo
from gridwatch.web.extensions import gw_context
from gridwatch.web.pages import warden
from gridwatch.web.session import current_actor

PER_PAGE = 30


@warden.route("/todo", endpoint="todo")
def todo_page():
    """Overdue first, then due soon, then hazards near their deadline."""
    ctx, actor = gw_context(), current_actor()
    args = {k: request.args.get(k) or None for k in ("grid", "risk", "sector")}
    page = request.args.get("page", 1, type=int)
    result = todo(ctx, actor, page=page, per_page=PER_PAGE, **args)
    return render_template(
        "warden/todo.html",
        result=result,
        args=args,
        risks=vocab.RISK_LEVELS,
        sectors=vocab.SECTORS,
    )
