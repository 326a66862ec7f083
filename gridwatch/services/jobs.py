"""Long work off the request thread: jobs whose state is in the database.

A page (or the CLI) *submits* a job: the kind's ``check`` validates the
parameters and the actor's right to run them at once (bad input is one sentence
and a 400 then, not a failed job later), and a ``queued`` row is written. A
worker (:mod:`gridwatch.services.job_worker`: a thread in each web worker
process, or ``gridwatch jobs work``) *claims* the oldest queued job with one
conditional ``UPDATE … WHERE status = 'queued'``: on PostgreSQL the second of two
concurrent claimers waits on the row lock and then finds the row no longer
queued, on SQLite writers are serialised by the database lock, so two gunicorn
workers never run one job twice. The page polls :func:`get_job`.

While a job runs, its worker renews ``heartbeat_at`` every
:data:`HEARTBEAT_S` seconds from a second thread and writes the progress the job
reports. **A worker that dies (a restart, a crash, an out-of-memory kill) leaves
its job ``running`` with an old heartbeat; any worker that sees a heartbeat older
than :data:`STALE_S` marks that job failed, with the reason "the worker stopped
while running it; start it again".** Failed, not re-queued: a job that killed its
worker (a build too large for the memory) would kill the next one too, and the
street office should decide whether to start it again (one click on the page).

Each kind is a pair of functions named in :data:`KINDS`:
``check(ctx, actor, params) -> params`` and
``run(ctx, actor, params, progress) -> dict`` (the result, JSON-safe), where
``progress(share, text)`` reports 0..1 and a short Chinese line.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models_street import Job
from gridwatch.errors import GridwatchError, InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.timeutil import utcnow

log = logging.getLogger("gridwatch.jobs")

#: Seconds between two heartbeats of a running job.
HEARTBEAT_S = 2.0
#: A running job whose heartbeat is older than this is taken as abandoned: well
#: above the heartbeat, and above the longest write a job holds the SQLite lock
#: for (a heartbeat waits for it; a 70,000-enterprise plan stores in seconds).
STALE_S = 120.0
#: Statuses: queued → running → done | failed.
STATUSES = ("queued", "running", "done", "failed")

Progress = Callable[[float, str | None], None]


@dataclass(frozen=True)
class Kind:
    """A kind of job: the module and the names of its check and run functions."""

    module: str
    check: str
    run: str
    roles: tuple[str, ...]

    def function(self, which: str):
        return getattr(importlib.import_module(self.module), getattr(self, which))


#: Every kind of job (imported lazily: the worker needs only the names).
KINDS: dict[str, Kind] = {
    "grids.build": Kind(
        "gridwatch.services.redraw",
        "check_build",
        "run_build",
        ("street_office", "admin"),
    ),
    "patrol.plan": Kind(
        "gridwatch.services.patrol.plans",
        "check_plan_job",
        "run_plan_job",
        ("street_office", "admin"),
    ),
}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise InvalidInputError(
            f"There is no kind of job called {kind!r}; use one of "
            f"{', '.join(sorted(KINDS))}."
        )
    return KINDS[kind]


def _plain_json(data) -> dict:
    """A JSON-safe copy (dates as ISO text, numpy numbers as Python numbers)."""

    def default(v):
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        if hasattr(v, "item"):
            return v.item()
        if hasattr(v, "tolist"):
            return v.tolist()
        return str(v)

    return json.loads(json.dumps(data, default=default, allow_nan=False))


def submit_job(ctx: Context, actor: Actor, kind: str, params: dict) -> dict:
    """Queue a job of ``kind`` for ``actor``; return it as :func:`job_dict`.

    Raises
    ------
    InvalidInputError
        Unknown kind, or parameters the kind's check refuses.
    PermissionDeniedError
        The actor's role may not run this kind (or the kind's check refuses the
        area).
    """
    spec = _kind(kind)
    require_role(actor, *spec.roles, action=f"Starting a {kind} job")
    checked = _plain_json(spec.function("check")(ctx, actor, dict(params)))
    with ctx.transaction(actor) as s:
        job = Job(
            kind=kind,
            params=checked,
            status="queued",
            progress=0.0,
            actor=actor.username,
            actor_data=asdict(actor),
            scope_code=actor.scope_code,
        )
        s.add(job)
        s.flush()
        return job_dict(job)


def job_dict(job) -> dict:
    """The job as plain data: id, kind, status, progress (0..1), progress_text,
    params, result, error ({code, message, details}), actor and the times."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": float(job.progress or 0.0),
        "progress_text": job.progress_text,
        "params": job.params or {},
        "result": job.result,
        "error": job.error,
        "actor": job.actor,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _visible(actor: Actor):
    """Jobs an actor may see: their own; a street office's colleagues' (same
    street); every job for admin and system."""
    if actor.role in ("admin", "system"):
        return sa.true()
    mine = Job.actor == actor.username
    if actor.role == "street_office":
        return sa.or_(mine, Job.scope_code == actor.scope_code)
    return mine


def get_job(ctx: Context, actor: Actor, job_id: int) -> dict:
    """One job the actor may see (else :class:`NotFoundError`, 404)."""
    with Session(ctx.engine) as s:
        job = s.scalar(sa.select(Job).where(Job.id == job_id, _visible(actor)))
        if job is None:
            raise NotFoundError(f"There is no job {job_id} of yours.")
        return job_dict(job)


def list_jobs(
    ctx: Context, actor: Actor, kind: str | None = None, limit: int = 20
) -> list[dict]:
    """The actor's latest jobs (newest first), optionally of one kind."""
    stmt = sa.select(Job).where(_visible(actor)).order_by(Job.id.desc()).limit(limit)
    if kind is not None:
        _kind(kind)
        stmt = stmt.where(Job.kind == kind)
    with Session(ctx.engine) as s:
        return [job_dict(j) for j in s.scalars(stmt)]


# --- the worker's side ---------------------------------------------------------


def claim_next(ctx: Context, worker: str, attempts: int = 5) -> int | None:
    """Claim the oldest queued job for ``worker``; its id, or None if none.

    One conditional UPDATE: only a row still ``queued`` changes, so of two
    workers racing for one job exactly one sees ``rowcount == 1``; the other
    tries the next job (up to ``attempts`` times).
    """
    for _ in range(attempts):
        now = utcnow()
        with ctx.engine.begin() as conn:
            found = conn.execute(
                sa.select(sa.func.min(Job.id)).where(Job.status == "queued")
            ).scalar()
            if found is None:
                return None
            won = conn.execute(
                sa.update(Job)
                .where(Job.id == found, Job.status == "queued")
                .values(
                    status="running", worker=worker, started_at=now, heartbeat_at=now
                )
            ).rowcount
        if won == 1:
            return int(found)
    return None


def beat(ctx: Context, job_id: int, share: float | None, text: str | None) -> None:
    """Renew a running job's heartbeat and write its progress (a short
    transaction of its own; a busy database is retried at the next beat)."""
    values: dict = {"heartbeat_at": utcnow()}
    if share is not None:
        values["progress"] = max(0.0, min(1.0, float(share)))
    if text is not None:
        values["progress_text"] = str(text)[:200]
    try:
        with ctx.engine.begin() as conn:
            conn.execute(
                sa.update(Job)
                .where(Job.id == job_id, Job.status == "running")
                .values(**values)
            )
    except sa.exc.OperationalError as exc:  # e.g. SQLite busy past its timeout
        log.warning("heartbeat of job %s skipped: %s", job_id, exc)


def finish(ctx: Context, job_id: int, result: dict | None, error: dict | None):
    """Store the outcome: ``done`` with its result or ``failed`` with the error."""
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(
                status="failed" if error else "done",
                progress=1.0 if not error else Job.progress,
                result=_plain_json(result) if result is not None else None,
                error=error,
                finished_at=utcnow(),
            )
        )


def reap_stale(ctx: Context, stale_s: float = STALE_S) -> int:
    """Fail running jobs whose worker stopped (no heartbeat for ``stale_s``)."""
    cutoff = utcnow() - dt.timedelta(seconds=stale_s)
    error = {
        "code": "worker_lost",
        "message": "The worker running this job stopped (a restart or a crash) "
        "before it finished; nothing was saved, start it again.",
        "details": {},
    }
    with ctx.engine.begin() as conn:
        return conn.execute(
            sa.update(Job)
            .where(Job.status == "running", Job.heartbeat_at < cutoff)
            .values(status="failed", error=error, finished_at=utcnow())
        ).rowcount


def load_claimed(ctx: Context, job_id: int) -> tuple[str, Actor, dict]:
    """(kind, actor, params) of a claimed job."""
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(Job.kind, Job.actor_data, Job.params).where(Job.id == job_id)
        ).one()
    return row.kind, Actor(**row.actor_data), dict(row.params or {})


def run_job(
    ctx: Context, job_id: int, progress: Progress
) -> tuple[dict | None, dict | None]:
    """Run a claimed job to its end; (result, None) or (None, error dict).

    A :class:`GridwatchError` is the user's sentence; anything else is logged
    and stored as an internal error (the page says so, the log has the trace).
    """
    try:
        kind, actor, params = load_claimed(ctx, job_id)
        result = _kind(kind).function("run")(ctx, actor, params, progress)
        return _plain_json(result or {}), None
    except GridwatchError as exc:
        return None, exc.to_dict()
    except Exception as exc:  # any failure must end the job
        log.exception("job %s failed", job_id)
        return None, {
            "code": "internal_error",
            "message": "The job stopped on an internal error; the server log has "
            "the details.",
            "details": {"type": type(exc).__name__},
        }
