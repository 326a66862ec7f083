"""Benchmark: the web app under load, on loopback, with the 70,000-enterprise demo.

The app runs as in production: ``gunicorn 'gridwatch.web:create_app()' -w 2``
(sync workers) on 127.0.0.1, against SpatiaLite (the data dir's file) and, with
``--postgis-url`` or ``GRIDWATCH_BENCH_POSTGIS_URL``, against PostGIS. The load is
``wrk`` (Debian's package, ``apt-get install wrk``) run the way its users run it:
``wrk -t2 -c20 -d30s --latency`` with a Lua script that sends each request with a
signed-in session cookie, cycles through several users and enterprises, counts
every answer that is not 200 as an error (a redirect to the sign-in page would
otherwise pass), and prints p50/p90/p95/p99 in its ``done()`` hook. wrk rather
than locust: it is a packaged C tool whose own cost on the shared 2-core machine
is small next to the app's, and closed-loop connections are exactly "20 clients
at once". Each endpoint gets 5 s of warm-up (not recorded), then 30 s measured:

- ``baseline``: ``/api/v1/health`` with a session cookie (the app's floor: the
  session user is loaded, one tiny query);
- ``warden_todo``: ``/w/todo`` of 4 wardens of the largest street;
- ``warden_map_data``: ``/w/grids.json`` of the same wardens;
- ``enterprise_file``: ``/w/enterprises/<id>`` over 40 of their enterprises;
- ``street_overview``: ``/s/overview`` of the largest street's office;
- ``api_bbox``: ``/api/v1/enterprises?bbox=…`` (about 1 km squares inside that
  street, 500 per page) as that street office.

Besides latency and requests/s, the CPU time the gunicorn processes spent per
request (from /proc) is recorded: the machine is shared and loaded, so latency
includes other people's work; CPU per request does not. It is the CPU from the
start of the measured run until the workers fall idle (they serve what wrk left
queued when it stopped), over the requests gunicorn answered in that time (its
access log): counting only wrk's completed requests charged a slow endpoint's
leftover queue to the next endpoint and divided by 0 or 1 when a page took
longer than the run. ``uptime`` is recorded before and after each run. Not a timed test: figures for the README and the lead.

Run (a data dir with the demo built: ``gridwatch demo --enterprises 70000
--no-serve``; without ``--data-dir`` one is built in a temp dir)::

    .venv/bin/python bench/web.py --data-dir /tmp/demo70k [--postgis-url URL]
    .venv/bin/python bench/web.py --only postgis --postgis-url postgresql+psycopg://…

Writes ``bench/results/web.json`` (the backends run are replaced, others kept).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, ROOT, environment, finish

OUT = RESULTS / "web.json"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "bench-password-2026"
TARGETS_MS = {
    "warden_todo": 200,
    "warden_map_data": 200,
    "enterprise_file": 200,
    "street_overview": 500,
}
LUA = r"""
local reqs = {REQS}
local threads = {}
local counter, bad = 0, 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = tid * 7919
end
function request()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  return wrk.format("GET", r[1], {["Cookie"] = r[2], ["Accept"] = r[3]})
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
{DELAY}
function done(summary, latency, requests)
  local non200 = 0
  for _, t in ipairs(threads) do non200 = non200 + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "non_200": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, non200,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(requests: list[tuple[str, str, str]], think_ms: int) -> str:
    reqs = (
        "{"
        + ", ".join("{" + ", ".join(_lua_string(v) for v in r) + "}" for r in requests)
        + "}"
    )
    delay = f"function delay() return {think_ms} end" if think_ms else ""
    return LUA.replace("{REQS}", reqs).replace("{DELAY}", delay)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, db_url: str | None) -> dict:
    env = {
        **os.environ,
        "GRIDWATCH_DATA_DIR": str(data_dir),
        "GRIDWATCH_PROGRESS": "0",
        "GRIDWATCH_SIGNIN_LIMIT": "10000 per minute",
        "GRIDWATCH_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("GRIDWATCH_DATABASE_URL", None)
    if db_url:
        env["GRIDWATCH_DATABASE_URL"] = db_url
    return env


def build_demo(env: dict, n: int) -> None:
    print(f"building the {n}-enterprise demo …", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "gridwatch", "demo", "--enterprises", str(n), "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def upgrade(env: dict) -> None:
    subprocess.run(
        [str(PYTHON), "-m", "gridwatch", "db", "upgrade"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


PREPARE = r"""
import json, sys
import sqlalchemy as sa
from gridwatch.config import load_settings
from gridwatch.db.models import Enterprise, GridWarden, User, Warden
from gridwatch.services.actor import system_actor
from gridwatch.services.context import open_context
from gridwatch.services import users as u
ctx = open_context(load_settings(), migrate_mode="auto")
admin = system_actor("bench")
with ctx.engine.connect() as conn:
    town, n = conn.execute(sa.select(Enterprise.town_code, sa.func.count())
        .where(Enterprise.town_code.is_not(None)).group_by(Enterprise.town_code)
        .order_by(sa.func.count().desc())).first()
    office = conn.execute(sa.select(User.username).where(
        User.role == "street_office", User.scope_code == town)).scalar()
    wardens = list(conn.execute(sa.select(User.username).join(Warden, Warden.user_id == User.id)
        .where(User.scope_code == town, User.is_active).order_by(User.username).limit(4)).scalars())
    box = conn.execute(sa.select(sa.func.min(sa.func.ST_X(Enterprise.geom)),
        sa.func.min(sa.func.ST_Y(Enterprise.geom)), sa.func.max(sa.func.ST_X(Enterprise.geom)),
        sa.func.max(sa.func.ST_Y(Enterprise.geom))).where(Enterprise.town_code == town)).one()
for name in [office, *wardens]:
    u.set_password(ctx, admin, name, sys.argv[1] + "-tmp")
    user = u.authenticate(ctx, name, sys.argv[1] + "-tmp")
    u.change_own_password(ctx, u.actor_of(user), sys.argv[1] + "-tmp", sys.argv[1])
print(json.dumps({"town": town, "n_town": n, "office": office, "wardens": wardens,
                  "box": list(box)}))
"""


def prepare(env: dict) -> dict:
    """Pick the largest street, its office and 4 wardens; give them a password
    through the services (admin reset, then the user's own change)."""
    out = subprocess.run(
        [str(PYTHON), "-c", PREPARE, PASSWORD],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn(env: dict, port: int, access_log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--access-logfile",
            str(access_log),
            "gridwatch.web:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health") as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"gunicorn did not answer: {proc.stderr.read()[-2000:]}")


def sign_in(origin: str, username: str) -> str:
    """Sign in through the form; return the ``Cookie`` header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(origin + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": username, "password": PASSWORD}
    ).encode()
    final = opener.open(origin + "/login", data)
    if "/login" in final.url or "/account/password" in final.url:
        raise RuntimeError(f"{username} could not sign in (landed on {final.url})")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _ids(origin: str, cookie: str) -> list[int]:
    req = urllib.request.Request(origin + "/w/grids.json", headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as r:
        return sorted(json.load(r)["ids"].values())


def _cpu_ticks(master: int) -> int:
    """utime + stime (clock ticks) of the gunicorn master and its workers."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master or ppid == master:
            total += int(fields[11]) + int(fields[12])
    return total


def _served(access_log: Path) -> int:
    """Requests gunicorn has answered so far (lines of its access log)."""
    try:
        with access_log.open("rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def wait_idle(master: int, limit_s: float = 600.0) -> None:
    """Wait until the workers stop using CPU: sync workers go on serving what wrk
    left queued after it stopped (with 20 connections on 2 workers, up to 18
    requests), and that backlog must be charged to its own endpoint, not the
    next one's run."""
    deadline = time.monotonic() + limit_s
    last = _cpu_ticks(master)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _cpu_ticks(master)
        if now - last <= 1:
            return
        last = now


def _uptime() -> str:
    up = subprocess.run(["uptime"], check=False, capture_output=True, text=True)
    return up.stdout.strip()


def run_wrk(
    origin: str, requests, seconds: int, think_ms: int, master: int, access_log: Path
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(requests, think_ms))
        script = fh.name
    base = ["wrk", "-t2", "-c20", "--timeout", "60s", "--latency", "-s", script]
    try:
        subprocess.run(
            [*base[:2], "-c2", *base[3:], "-d5s", origin],
            check=True,
            capture_output=True,
        )  # warm-up, not recorded
        wait_idle(master)
        before, served, up = _cpu_ticks(master), _served(access_log), _uptime()
        out = subprocess.run(
            [*base, f"-d{seconds}s", origin], check=True, capture_output=True, text=True
        ).stdout
        # CPU and requests counted until the backlog is served: all the work
        # done in the window over all the requests answered in it
        wait_idle(master)
        cpu_s = (_cpu_ticks(master) - before) / os.sysconf("SC_CLK_TCK")
        n_served = _served(access_log) - served
    finally:
        os.unlink(script)
    raw = json.loads(out.split("WRKJSON", 1)[1].strip().splitlines()[0])
    lat = raw["latency_us"]
    n = raw["requests"]
    errors = sum(raw["errors"].values()) - raw["errors"]["status"] + raw["non_200"]
    return {
        "requests": n,
        "requests_per_s": round(n / (raw["duration_us"] / 1e6), 1),
        "errors": errors,
        "error_detail": {**raw["errors"], "non_200": raw["non_200"]},
        "latency_ms": {
            k: round(lat[k] / 1000, 1)
            for k in ("min", "p50", "p90", "p95", "p99", "max", "mean")
        },
        "server_requests": n_served,
        "server_cpu_ms_per_request": round(cpu_s * 1000 / max(n_served, 1), 1),
        "uptime_before": up,
        "uptime_after": _uptime(),
    }


def scenarios(origin: str, facts: dict) -> dict[str, list[tuple[str, str, str]]]:
    html, js = "text/html", "application/json"
    wardens = [sign_in(origin, w) for w in facts["wardens"]]
    office = sign_in(origin, facts["office"])
    files = []
    for cookie in wardens:
        files += [
            (f"/w/enterprises/{i}", cookie, html) for i in _ids(origin, cookie)[:10]
        ]
    x0, y0, x1, y1 = facts["box"]
    step = 0.01  # about 1 km
    boxes = [
        f"{x:.4f},{y:.4f},{x + step:.4f},{y + step:.4f}"
        for x in [x0 + k * (x1 - x0 - step) / 4 for k in range(5)]
        for y in [y0 + k * (y1 - y0 - step) / 3 for k in range(4)]
    ]
    return {
        "baseline": [("/api/v1/health", wardens[0], js)],
        "warden_todo": [("/w/todo", c, html) for c in wardens],
        "warden_map_data": [("/w/grids.json", c, js) for c in wardens],
        "enterprise_file": files,
        "street_overview": [("/s/overview", office, html)],
        "api_bbox": [
            (f"/api/v1/enterprises?bbox={b}&limit=500", office, js) for b in boxes
        ],
    }


def bench_backend(label: str, env: dict, seconds: int, think_ms: int) -> dict:
    facts = prepare(env)
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    access_log = Path(tempfile.mkdtemp(prefix="gw-bench-web-log-")) / "access.log"
    proc = start_gunicorn(env, port, access_log)
    try:
        results = {}
        for name, requests in scenarios(origin, facts).items():
            print(f"[{label}] {name} …", flush=True)
            results[name] = run_wrk(
                origin, requests, seconds, think_ms, proc.pid, access_log
            )
            r = results[name]
            print(
                f"    p50 {r['latency_ms']['p50']} ms, p95 {r['latency_ms']['p95']} ms,"
                f" {r['requests_per_s']} req/s, errors {r['errors']},"
                f" cpu {r['server_cpu_ms_per_request']} ms/req",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(access_log.parent, ignore_errors=True)
    return {"facts": facts, "results": results}


def verdicts(results: dict) -> dict:
    out = {}
    for name, target in TARGETS_MS.items():
        r = results.get(name)
        if r is None:
            continue
        p95 = r["latency_ms"]["p95"]
        out[name] = {
            "target_p95_ms": target,
            "p95_ms": p95,
            "met": p95 <= target and r["errors"] == 0,
            "over_by_ms": round(max(0.0, p95 - target), 1),
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, help="a data dir with the demo built")
    ap.add_argument(
        "--postgis-url", default=os.environ.get("GRIDWATCH_BENCH_POSTGIS_URL")
    )
    ap.add_argument("--enterprises", type=int, default=70_000)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="pause per connection between requests (0: closed loop)",
    )
    ap.add_argument("--only", choices=["spatialite", "postgis"])
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="gw-bench-web-"))
    url = args.postgis_url
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    backends = []
    if args.only != "postgis":
        backends.append(("spatialite", None))
    if url and args.only != "spatialite":
        backends.append(("postgis", url))
    doc = json.loads(OUT.read_text()) if OUT.exists() else {}
    doc.setdefault("backends", {})
    env_info = environment(["flask", "gunicorn", "sqlalchemy"])
    for label, db_url in backends:
        env = _env(data_dir, db_url)
        if args.data_dir is not None or db_url:
            upgrade(env)  # a demo built by an older tree lacks the newest index
        if args.data_dir is None or (db_url and not _has_demo(env)):
            build_demo(env, args.enterprises)
        run = bench_backend(label, env, args.seconds, args.think_ms)
        run["verdicts"] = verdicts(run["results"])
        key = label if not args.think_ms else f"{label}_think{args.think_ms}ms"
        doc["backends"][key] = run
    doc.update(
        benchmark="web pages and API under load (bench/web.py)",
        environment=finish(env_info),
        method=(
            f"gunicorn -w 2 (sync) on 127.0.0.1; wrk -t2 -c20 -d{args.seconds}s --latency with a "
            "Lua script (session cookies, non-200 counted as errors); 5 s warm-up per "
            f"endpoint; think time {args.think_ms} ms"
        ),
        targets_p95_ms=TARGETS_MS,
    )
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")
    return 0


def _has_demo(env: dict) -> bool:
    check = (
        "from gridwatch.config import load_settings\n"
        "from gridwatch.services.context import open_context\n"
        "import sqlalchemy as sa\n"
        "ctx = open_context(load_settings(), migrate_mode='auto')\n"
        "with ctx.engine.connect() as c:\n"
        "    print(c.execute(sa.text('SELECT count(*) FROM enterprises')).scalar())"
    )
    out = subprocess.run(
        [str(PYTHON), "-c", check], check=False, env=env, capture_output=True, text=True
    )
    return out.returncode == 0 and int(out.stdout.strip() or 0) > 0


if __name__ == "__main__":
    sys.exit(main())
