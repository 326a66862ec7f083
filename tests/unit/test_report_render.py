"""Render the annual report's pages to PNG (LibreOffice → PDF → pdftoppm).

The pages land in tests/artifacts/report/ (not committed) for a person to look
at. Needs Debian's libreoffice-writer(-nogui) and poppler-utils; skipped without
them, failed instead with GRIDWATCH_REQUIRE_LIBREOFFICE=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gridwatch.report import write_annual_report
from tests.unit.report_sample import sample_report

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report"


def _tools() -> tuple[str, str]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice and pdftoppm and shutil.which("pdftotext") and shutil.which("pdffonts"):
        return soffice, pdftoppm
    reason = "LibreOffice (libreoffice-writer-nogui) or poppler-utils is not installed"
    if os.environ.get("GRIDWATCH_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(f"GRIDWATCH_REQUIRE_LIBREOFFICE=1 but {reason}")
    pytest.skip(reason)


@pytest.mark.slow
def test_report_pages_render_with_chinese_text(tmp_path):
    soffice, pdftoppm = _tools()
    docx = tmp_path / "annual_report.docx"
    write_annual_report(sample_report(), docx)
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: runs in parallel
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "annual_report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = "".join(text.split())
    assert "禅城区2026年度安全生产工作报告" in flat
    assert "同比分别增长110.7%、125%和61.5%" in flat
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts  # the Chinese is set in a CJK font, not boxes
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    shutil.copy(docx, ARTIFACTS / docx.name)
    shutil.copy(docx.with_suffix(".xlsx"), ARTIFACTS / "annual_report.xlsx")
    subprocess.run(
        [pdftoppm, "-r", "80", "-png", str(pdf), str(ARTIFACTS / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) >= 5
