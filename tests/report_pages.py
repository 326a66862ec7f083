"""Render a DOCX's pages to PNG with Debian's LibreOffice and poppler (tests only).

LibreOffice headless converts to PDF (its own profile directory, so tests run in
parallel), ``pdftotext`` gives the text to check, ``pdftoppm`` the pages. Skipped
without the tools; failed instead with GRIDWATCH_REQUIRE_LIBREOFFICE=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_tools() -> tuple[str, str]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice and pdftoppm and shutil.which("pdftotext") and shutil.which("pdffonts"):
        return soffice, pdftoppm
    reason = "LibreOffice (libreoffice-writer-nogui) or poppler-utils is not installed"
    if os.environ.get("GRIDWATCH_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(f"GRIDWATCH_REQUIRE_LIBREOFFICE=1 but {reason}")
    pytest.skip(reason)


def render_pages(
    docx: Path, out_dir: Path, work: Path, dpi: int = 80
) -> tuple[str, list]:
    """(the PDF's text, the PNG of each page in ``out_dir``)."""
    soffice, pdftoppm = require_tools()
    profile = (work / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = work / (docx.stem + ".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(out_dir / "page")],
        check=True,
        timeout=180,
    )
    return text, sorted(out_dir.glob("page-*.png"))
