"""The domain packages stay pure: no Flask, SQLAlchemy, db, services or web."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "gridwatch"
DOMAIN = [
    "grids",
    "geocode",
    "assign",
    "analytics",
    "patrol",
    "maps",
    "registry",
    "demo",
    "supervision",
    "report",
]
FORBIDDEN = (
    "flask",
    "sqlalchemy",
    "geoalchemy2",
    "gridwatch.db",
    "gridwatch.services",
    "gridwatch.web",
    "gridwatch.cli",
)


def _imports(path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_package_imports_no_framework(package):
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        for name in _imports(path):
            if name.startswith(FORBIDDEN):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_web_and_cli_do_not_import_models():
    bad = []
    for package in ("web", "cli"):
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path):
                if name.startswith("gridwatch.db.models"):
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad
