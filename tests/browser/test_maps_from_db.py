"""End to end: registry rows with hostile names → database → `gridwatch map` → browser.

The enterprise name travels through the import validator, the database, the map
service and the page's client-side popup; it must arrive as text and run nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from gridwatch.config import load_settings
from gridwatch.services import grids as gsvc
from gridwatch.services.assignment import assign_enterprises_to_grids, assign_wardens
from gridwatch.services.context import open_context
from gridwatch.services.enterprises import import_registry
from tests.actors import SYSTEM
from tests.browser.test_maps_browser import XSS, _click_enterprise, _open, browser  # noqa: F401
from tests.db.conftest import build_small_district, make_code

pytestmark = pytest.mark.browser


@pytest.fixture
def served_map(tmp_path):
    import functools
    import http.server
    import threading

    env = {"GRIDWATCH_DATA_DIR": str(tmp_path / "data"), "GRIDWATCH_PROGRESS": "0"}
    ctx = open_context(load_settings(environ=env))
    build_small_district(ctx)
    f = tmp_path / "extra.csv"
    f.write_text(
        "统一社会信用代码,企业名称,地址,风险等级,经度,纬度,坐标系\n"
        f'{make_code(777)},"{XSS}",张槎路9号,红,113.011,23.011,wgs84\n',
        encoding="utf-8",
    )
    assert import_registry(ctx, SYSTEM, f).inserted == 1
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=dt.date.today())
    assign_wardens(ctx, SYSTEM, today=dt.date.today())
    ctx.close()
    out = tmp_path / "site" / "coverage.html"
    run = subprocess.run(
        [sys.executable, "-m", "gridwatch", "map", "coverage", "--out", str(out)],
        env={**os.environ, **env},
        check=False,  # the output is asserted below
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(out.parent)
    )
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_hostile_name_from_the_registry_shows_as_text(browser, served_map):  # noqa: F811
    page, watch = _open(browser, served_map, "coverage.html")
    text = _click_enterprise(page, make_code(777))
    assert XSS in text and make_code(777) in text
    page.wait_for_timeout(300)
    assert page.locator("img[src='x']").count() == 0
    watch.check()
    page.close()
