"""Jobs: queued in the database, claimed once across app instances, reaped when
their worker stops (both backends)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services import jobs
from gridwatch.services.actor import Actor
from gridwatch.services.context import open_context
from gridwatch.services.job_worker import JobWorker
from tests.actors import SYSTEM

OFFICE = Actor("office_t", "street_office", scope_code="440604011", user_id=7)
OTHER = Actor("office_u", "street_office", scope_code="440604003", user_id=8)
WARDEN = Actor("w_t", "warden", scope_code="440604011", user_id=9, warden_id=1)

RUNS: list[tuple[int, str]] = []
_LOCK = threading.Lock()


def check_echo(ctx, actor, params):
    if params.get("n", 0) < 0:
        raise InvalidInputError("n must be 0 or more.")
    return params


def run_echo(ctx, actor, params, progress):
    progress(0.5, "半程")
    time.sleep(params.get("sleep", 0))
    if params.get("fail"):
        raise InvalidInputError("This job was told to fail.")
    if params.get("crash"):
        raise RuntimeError("boom")
    with _LOCK:
        RUNS.append((params["n"], threading.current_thread().name))
    return {"n": params["n"], "by": actor.username, "when": dt.date(2026, 12, 1)}


@pytest.fixture(autouse=True)
def echo_kind(monkeypatch):
    monkeypatch.setitem(
        jobs.KINDS,
        "test.echo",
        jobs.Kind(__name__, "check_echo", "run_echo", ("street_office", "admin")),
    )
    RUNS.clear()


def test_submit_job_checks_kind_role_and_params(ctx):
    with pytest.raises(InvalidInputError, match="no kind of job"):
        jobs.submit_job(ctx, OFFICE, "nope", {})
    with pytest.raises(PermissionDeniedError):
        jobs.submit_job(ctx, WARDEN, "test.echo", {"n": 1})
    with pytest.raises(InvalidInputError, match="0 or more"):
        jobs.submit_job(ctx, OFFICE, "test.echo", {"n": -1})
    job = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 1})
    assert job["status"] == "queued" and job["actor"] == "office_t"


def test_get_job_is_scoped_to_owner_and_street(ctx):
    job = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 1})
    colleague = Actor("office_t2", "street_office", scope_code="440604011")
    assert jobs.get_job(ctx, colleague, job["id"])["id"] == job["id"]
    assert jobs.get_job(ctx, SYSTEM, job["id"])["id"] == job["id"]
    with pytest.raises(NotFoundError):
        jobs.get_job(ctx, OTHER, job["id"])
    with pytest.raises(NotFoundError):
        jobs.get_job(ctx, WARDEN, job["id"])


def test_worker_runs_a_job_and_stores_result_progress_and_errors(ctx):
    ok = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 3})
    bad = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 4, "fail": True})
    crash = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 5, "crash": True})
    worker = JobWorker(ctx)
    assert [worker.run_once() for _ in range(4)] == [
        ok["id"],
        bad["id"],
        crash["id"],
        None,
    ]
    done = jobs.get_job(ctx, OFFICE, ok["id"])
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["result"] == {"n": 3, "by": "office_t", "when": "2026-12-01"}
    failed = jobs.get_job(ctx, OFFICE, bad["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == "This job was told to fail."
    internal = jobs.get_job(ctx, OFFICE, crash["id"])
    assert internal["error"]["code"] == "internal_error"
    assert "boom" not in internal["error"]["message"]


def test_two_app_instances_never_run_one_job_twice(ctx):
    """Two contexts (two engines, as two gunicorn workers have) on one database,
    each with a worker thread, drain 12 jobs: each runs exactly once."""
    ids = [
        jobs.submit_job(ctx, OFFICE, "test.echo", {"n": i, "sleep": 0.05})["id"]
        for i in range(12)
    ]
    ctx2 = open_context(ctx.settings)
    try:
        workers = [JobWorker(ctx, poll_s=0.05), JobWorker(ctx2, poll_s=0.05)]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = [jobs.get_job(ctx, SYSTEM, i)["status"] for i in ids]
            if all(s == "done" for s in states):
                break
            time.sleep(0.1)
        for w in workers:
            w.stop()
    finally:
        ctx2.close()
    assert sorted(n for n, _ in RUNS) == list(range(12))
    with ctx.engine.connect() as conn:
        claimers = conn.execute(
            sa.text("SELECT count(DISTINCT worker) FROM jobs WHERE kind = 'test.echo'")
        ).scalar()
    assert claimers >= 1


def test_claim_next_races_for_one_job_exactly_one_wins(ctx):
    job = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 1})
    ctx2 = open_context(ctx.settings)
    got, barrier = [], threading.Barrier(2)

    def claim(c, name):
        barrier.wait()
        got.append(jobs.claim_next(c, name))

    try:
        threads = [
            threading.Thread(target=claim, args=(c, f"w{i}"))
            for i, c in enumerate((ctx, ctx2))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        ctx2.close()
    assert sorted(got, key=str) == sorted([job["id"], None], key=str)


def test_reap_stale_fails_a_job_whose_worker_stopped(ctx):
    job = jobs.submit_job(ctx, OFFICE, "test.echo", {"n": 1})
    assert jobs.claim_next(ctx, "dead-worker") == job["id"]
    assert jobs.reap_stale(ctx) == 0  # fresh heartbeat: still running
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("UPDATE jobs SET heartbeat_at = :t"), {"t": old})
    assert jobs.reap_stale(ctx) == 1
    failed = jobs.get_job(ctx, OFFICE, job["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "worker_lost"
    assert "start it again" in failed["error"]["message"]
