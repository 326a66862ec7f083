"""The job worker: claims queued jobs and runs them, one at a time, off any request.

The web app starts one :class:`JobWorker` thread in each worker process
(``GRIDWATCH_JOB_WORKER=thread``, the default); ``gridwatch jobs work`` runs one
in the foreground instead (``GRIDWATCH_JOB_WORKER=off`` on the web servers then).
Several workers may share a database: claiming is atomic
(:func:`gridwatch.services.jobs.claim_next`). A running job is kept alive by a
heartbeat thread, and every worker fails jobs whose heartbeat stopped
(:func:`gridwatch.services.jobs.reap_stale`).

A thread, not a process per job: the jobs (grid builds, patrol plans) spend
their time in numpy, shapely, GEOS and OR-Tools, which release the GIL, so the
requests of the same process keep being answered (the browser test polls a page
while a build runs). Run ``gridwatch jobs work`` as its own service where builds
are large enough to matter.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from gridwatch.services import jobs
from gridwatch.services.context import Context

log = logging.getLogger("gridwatch.jobs")

#: Seconds between two looks for queued jobs when idle.
POLL_S = 1.0
#: Seconds between two looks for abandoned jobs.
REAP_S = 30.0


class _Beat:
    """The heartbeat of one running job, and the latest progress it reported."""

    def __init__(self, ctx: Context, job_id: int):
        self.ctx, self.job_id = ctx, job_id
        self.share: float | None = None
        self.text: str | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"gridwatch-job-{job_id}-beat", daemon=True
        )

    def report(self, share: float, text: str | None = None) -> None:
        with self.lock:
            self.share, self.text = share, text

    def _run(self) -> None:
        while not self.done.wait(jobs.HEARTBEAT_S):
            with self.lock:
                share, text = self.share, self.text
            jobs.beat(self.ctx, self.job_id, share, text)


class JobWorker:
    """Runs queued jobs in a daemon thread until :meth:`stop` (or ``alive()``
    turns False, e.g. the app that started it is gone)."""

    def __init__(
        self,
        ctx: Context,
        *,
        poll_s: float = POLL_S,
        alive: Callable[[], bool] | None = None,
    ):
        self.ctx = ctx
        self.poll_s = poll_s
        self.alive = alive or (lambda: True)
        self.pid = os.getpid()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_reap = 0.0

    @property
    def name(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"

    def start(self) -> JobWorker:
        self._thread = threading.Thread(
            target=self._loop, name="gridwatch-jobs", daemon=True
        )
        self._thread.start()
        return self

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Look for a job now (after a submit in this process)."""
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> int | None:
        """Reap abandoned jobs (now and then), claim one and run it; its id."""
        import time

        if time.monotonic() - self._last_reap >= REAP_S:
            self._last_reap = time.monotonic()
            reaped = jobs.reap_stale(self.ctx)
            if reaped:
                log.warning("failed %d job(s) whose worker stopped", reaped)
        job_id = jobs.claim_next(self.ctx, self.name)
        if job_id is None:
            return None
        beat = _Beat(self.ctx, job_id)
        beat.thread.start()
        try:
            result, error = jobs.run_job(self.ctx, job_id, beat.report)
        finally:
            beat.done.set()
            beat.thread.join()
        jobs.finish(self.ctx, job_id, result, error)
        return job_id

    def _loop(self) -> None:
        while not self._stop.is_set() and self.alive():
            try:
                ran = self.run_once()
            except Exception:  # a database hiccup must not end the worker
                log.exception("job worker: could not look for jobs")
                ran = None
            if ran is None:
                self._wake.wait(self.poll_s)
                self._wake.clear()
