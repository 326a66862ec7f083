"""Architecture rules of STYLE.md, checked on the source (no imports run).

- the domain packages stay pure: no Flask, SQLAlchemy, db, services, web, cli, and
  no settings (they take values as parameters);
- every package under gridwatch/ is either domain or one of the layers, and every
  package named here exists (a renamed or removed package cannot linger unchecked);
- web and cli never touch the models;
- no relative imports;
- raw SQL text only in db/ and assign/sql.py: elsewhere ``text()`` may only wrap SQL
  built by gridwatch.assign.sql, and no string literal is a SQL statement;
- the environment is read only in config.py (everything else gets settings);
- audit rows are written only by services/audit.py;
- frame input checks are defined only in frames.py;
- administrative-code arithmetic (``[:9]``, ``.startswith`` on codes) only in
  grids/codes.py (and its SQL twin in services/scope.py).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "gridwatch"
DOMAIN = [
    "analytics",
    "assign",
    "demo",
    "geocode",
    "grids",
    "maps",
    "patrol",
    "registry",
    "report",
    "fieldwork",
    "supervision",
]
LAYERS = ["cli", "data", "db", "services", "web"]
FORBIDDEN = (
    "flask",
    "sqlalchemy",
    "geoalchemy2",
    "gridwatch.db",
    "gridwatch.services",
    "gridwatch.web",
    "gridwatch.cli",
    "gridwatch.config",
)
SQL_HOMES = ("db/", "assign/sql.py")
ENV_HOMES = ("config.py",)
_SQL = re.compile(
    r"^\s*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE|DROP|ALTER)\s"
)


def _sources():
    return sorted(ROOT.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text("utf-8"))


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_every_package_is_classified_and_every_listed_package_exists():
    packages = {
        p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    assert packages == set(DOMAIN) | set(LAYERS)


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_package_imports_no_framework(package):
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        for name in _imports(_tree(path)):
            if name.startswith(FORBIDDEN):
                bad.append(f"{_rel(path)} imports {name}")
    assert not bad, bad


def test_web_and_cli_do_not_import_models():
    bad = []
    for package in ("web", "cli"):
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(_tree(path)):
                if name.startswith("gridwatch.db.models"):
                    bad.append(f"{_rel(path)} imports {name}")
    assert not bad, bad


def test_no_relative_imports():
    bad = [
        f"{_rel(path)}:{node.lineno}"
        for path in _sources()
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert not bad, bad


def _is_text_call(node: ast.Call) -> bool:
    f = node.func
    return (isinstance(f, ast.Name) and f.id == "text") or (
        isinstance(f, ast.Attribute)
        and f.attr in ("text", "exec_driver_sql")
        and not (isinstance(f.value, ast.Name) and f.value.id in ("self", "cls"))
        and not (isinstance(f.value, ast.Attribute))
    )


def _sql_builders(tree) -> set[str]:
    """Names imported from gridwatch.assign.sql (the one SQL-building module)."""
    return {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "gridwatch.assign.sql"
        for a in node.names
    }


def _docstrings(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            out.add(id(body[0].value))
    return out


def _raw_sql(path: Path) -> list[str]:
    tree = _tree(path)
    builders = _sql_builders(tree)
    docs = _docstrings(tree)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_text_call(node) and node.args:
            arg = node.args[0]
            built = (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Name)
                and arg.func.id in builders
            )
            if not built and not isinstance(arg, ast.Name):
                bad.append(f"{_rel(path)}:{node.lineno} text() around literal SQL")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and _SQL.match(node.value)
        ):
            bad.append(f"{_rel(path)}:{node.lineno} SQL literal")
    return sorted(bad)


def test_raw_sql_text_lives_only_in_db_and_assign_sql():
    bad = []
    for path in _sources():
        if not _rel(path).startswith(SQL_HOMES):
            bad += _raw_sql(path)
    assert not bad, bad


def test_the_raw_sql_check_finds_literal_sql(tmp_path):
    """The check above can fail: a service with ``sa.text("SELECT …")`` is caught."""
    src = tmp_path / "bad.py"
    src.write_text(
        "import sqlalchemy as sa\n"
        "from gridwatch.assign.sql import covers_join_sql\n"
        "ok = sa.text(covers_join_sql('p', 'g'))\n"
        "bad = sa.text('SELECT 1 FROM grids')\n"
        "worse = 'DELETE FROM grids'\n",
        "utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _raw_sql(src)
    finally:
        ROOT = saved
    assert found == [
        "bad.py:4 SQL literal",
        "bad.py:4 text() around literal SQL",
        "bad.py:5 SQL literal",
    ]


def _env_reads(path: Path) -> list[str]:
    bad = []
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "environb", "putenv")
        ):
            bad.append(f"{_rel(path)}:{node.lineno} os.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            for a in node.names:
                if a.name in ("environ", "getenv", "environb"):
                    bad.append(f"{_rel(path)}:{node.lineno} from os import {a.name}")
    return bad


def test_environment_is_read_only_in_config():
    bad = []
    for path in _sources():
        if not _rel(path).startswith(ENV_HOMES):
            bad += _env_reads(path)
    assert not bad, bad


def test_the_environment_check_finds_reads(tmp_path):
    src = tmp_path / "bad.py"
    src.write_text(
        "import os\nfrom os import getenv\nx = os.environ.get('A')\n", "utf-8"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _env_reads(src)
    finally:
        ROOT = saved
    assert sorted(found) == ["bad.py:2 from os import getenv", "bad.py:3 os.environ"]


#: The one module that writes audit rows (and the model and migrations that
#: declare the table).
AUDIT_HOMES = ("services/audit.py", "db/models.py", "db/migrations/")


def _audit_writes(path: Path) -> list[str]:
    """References to the audit table: the model's name or the table's name."""
    bad = []
    for node in ast.walk(_tree(path)):
        if (isinstance(node, ast.Name) and node.id == "AuditLog") or (
            isinstance(node, ast.Attribute) and node.attr == "AuditLog"
        ):
            bad.append(f"{_rel(path)}:{node.lineno} AuditLog")
        elif isinstance(node, ast.alias) and node.name == "AuditLog":
            bad.append(f"{_rel(path)}:{node.lineno} imports AuditLog")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.search(r"\baudit_log\b", node.value)
        ):
            bad.append(f"{_rel(path)}:{node.lineno} 'audit_log'")
    return sorted(bad)


def test_audit_rows_are_written_only_by_services_audit():
    """Everything else goes through gridwatch.services.audit (the flush
    listener, ``record``, ``entry`` + ``record_rows``)."""
    bad = []
    for path in _sources():
        if not _rel(path).startswith(AUDIT_HOMES):
            bad += _audit_writes(path)
    assert not bad, bad


def test_the_audit_check_finds_other_writers(tmp_path):
    src = tmp_path / "bad.py"
    src.write_text(
        "from gridwatch.db.models import AuditLog\n"
        "from gridwatch.db import models\n"
        "from gridwatch.db.queries import bulk_insert\n"
        "s.add(models.AuditLog(actor='x'))\n"
        "bulk_insert(conn, 'audit_log', rows)\n"
        "doc = 'the audit log'\n",
        "utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _audit_writes(src)
    finally:
        ROOT = saved
    assert found == [
        "bad.py:1 imports AuditLog",
        "bad.py:4 AuditLog",
        "bad.py:5 'audit_log'",
    ]


#: Frame input checks live in gridwatch/frames.py only (one name, one behaviour:
#: ``require_*`` raise, ``reproject_to_wgs84`` converts).
FRAME_CHECKS = re.compile(
    r"^_?(require_(columns|geoframe|wgs84)|check_(columns|frame)|ensure_\w*(wgs84|crs)"
    r"|reproject_to_wgs84|is_wgs84|_?to_wgs84_frame)$"
)


def test_frame_checks_are_defined_only_in_frames():
    bad = [
        f"{_rel(path)}:{node.lineno} def {node.name}"
        for path in _sources()
        if _rel(path) != "frames.py"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef) and FRAME_CHECKS.match(node.name)
    ]
    assert not bad, bad


#: Administrative-code arithmetic (GB/T 2260 + NBS 12-digit codes, grid codes)
#: lives in grids/codes.py; scope.py holds its SQL twin ``code_within``.
CODE_HOMES = ("grids/codes.py", "services/scope.py")
#: Prefix tests on codes that are not administrative codes: GB/T 4754 industry
#: codes (a class code extends its division's).
CODE_EXEMPT = ("registry/industry.py", "registry/cells.py")
_CODE_LENGTH_SLICES = {6, 9, 12, 15}
_CODE_WORDS = {"code", "street", "town", "district", "community", "scope", "area"}


def _names_a_code(text: str) -> bool:
    """Whether an identifier in ``text`` has a word (``_``-separated, plural or
    not) naming a code or a unit: ``grid_code``, ``streets``, ``area_prefixes``."""
    words = (w for ident in re.findall(r"[A-Za-z_]+", text) for w in ident.split("_"))
    return any(w.lower().removesuffix("s") in _CODE_WORDS for w in words)


def _code_arithmetic(path: Path) -> list[str]:
    """``x[:6|9|12|15]`` (or ``[:CODE_LENGTHS[...]]``) and ``.startswith`` on a
    code-like expression (its text names a code, street, town, scope, ...)."""
    bad = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            upper, text = node.slice.upper, ast.unparse(node)
            if node.slice.lower is not None and not (
                isinstance(node.slice.lower, ast.Constant)
                and node.slice.lower.value == 0
            ):
                continue
            by_length = (
                isinstance(upper, ast.Constant) and upper.value in _CODE_LENGTH_SLICES
            ) or (upper is not None and "CODE_LENGTHS" in ast.unparse(upper))
            if by_length and "hexdigest" not in text:
                bad.append(f"{_rel(path)}:{node.lineno} {text}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
            and _names_a_code(ast.unparse(node))
        ):
            bad.append(f"{_rel(path)}:{node.lineno} {ast.unparse(node.func)}(...)")
    return sorted(bad)


def test_code_arithmetic_lives_in_grids_codes():
    bad = []
    for path in _sources():
        if not _rel(path).startswith(CODE_HOMES + CODE_EXEMPT):
            bad += _code_arithmetic(path)
    assert not bad, bad


def test_the_code_arithmetic_check_finds_slices_and_prefix_tests(tmp_path):
    src = tmp_path / "bad.py"
    src.write_text(
        "town = code[:9]\n"
        "unit = str(grid)[0:12]\n"
        "ok = digest.hexdigest()[:12]\n"
        "mine = Grid.code.startswith(street, autoescape=True)\n"
        "rows = grids[grids['code'].str.startswith(town)]\n"
        "bom = sample.startswith(codecs_BOM)\n"
        "n = CODE_LENGTHS['town']\n"
        "x = code[: CODE_LENGTHS['town']]\n"
        "tail = code[9:]\n",
        "utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _code_arithmetic(src)
    finally:
        ROOT = saved
    assert found == [
        "bad.py:1 code[:9]",
        "bad.py:2 str(grid)[0:12]",
        "bad.py:4 Grid.code.startswith(...)",
        "bad.py:5 grids['code'].str.startswith(...)",
        "bad.py:8 code[:CODE_LENGTHS['town']]",
    ]


# Spreadsheet writers: a CSV or XLSX that gridwatch writes echoes user text (names,
# addresses, notes, the input file's own cells), and a spreadsheet runs a cell that
# starts with = + - @ as a formula (OWASP "CSV injection"). Every module that
# opens a CSV writer or an openpyxl workbook therefore goes through
# gridwatch.spreadsheets.neutralise (demo fixtures, which write generated data
# only, are the exception).
_SHEET_WRITERS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|openpyxl\.Workbook\(|Workbook\(\)"
)
_SHEET_EXEMPT = ("demo/", "services/demo/", "services/bureau/demo.py")


def _sheet_writers_without_neutralise(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if not _SHEET_WRITERS.search(text) or "neutralise" in text:
        return []
    name = _rel(path) if path.is_relative_to(ROOT) else path.name
    return [f"{name}: writes a CSV/XLSX without gridwatch.spreadsheets.neutralise"]


def test_every_spreadsheet_writer_neutralises_formulas():
    bad = []
    for path in _sources():
        if not _rel(path).startswith(_SHEET_EXEMPT):
            bad += _sheet_writers_without_neutralise(path)
    assert not bad, bad


def test_the_spreadsheet_check_finds_a_raw_writer(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("import csv\nw = csv.writer(fh)\nw.writerow([name])\n")
    assert _sheet_writers_without_neutralise(f)
    f.write_text(
        "import csv\nfrom gridwatch.spreadsheets import neutralise\n"
        "csv.writer(fh).writerow([neutralise(name)])\n"
    )
    assert not _sheet_writers_without_neutralise(f)
