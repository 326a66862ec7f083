"""Start the job worker thread of this web worker process (docs/web.md, "Jobs").

``GRIDWATCH_JOB_WORKER=thread`` (default): every process that builds the app
runs one :class:`~gridwatch.services.job_worker.JobWorker`; with gunicorn's
``--preload`` the app is built before the fork, so a request that finds the
thread belonging to another process id starts this process's own. The thread
ends when the app object is gone (tests build many apps in one process).
"""

from __future__ import annotations

import os
import weakref

from flask import Flask, current_app

from gridwatch.services.context import Context
from gridwatch.services.job_worker import JobWorker

KEY = "gridwatch_jobs"


def _start(app: Flask, ctx: Context) -> JobWorker:
    ref = weakref.ref(app)
    worker = JobWorker(ctx, alive=lambda: ref() is not None).start()
    app.extensions[KEY] = worker
    return worker


def install(app: Flask, ctx: Context, settings) -> None:
    """Start the worker now (unless the app's settings turn it off) and after a
    fork."""
    if settings.job_worker != "thread":
        return
    _start(app, ctx)

    @app.before_request
    def _own_worker():
        worker = app.extensions.get(KEY)
        if worker is None or worker.pid != os.getpid() or not worker.is_running():
            _start(app, ctx)


def wake() -> None:
    """Tell this process's worker a job was just queued (no wait for its poll)."""
    worker = current_app.extensions.get(KEY)
    if worker is not None:
        worker.wake()
