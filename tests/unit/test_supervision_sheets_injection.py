"""The supervision imports' rejects file echoes the input's cells: a cell that a
spreadsheet would run as a formula is written neutralised (OWASP CSV injection),
the same rule as the registry's exports (issue 15)."""

from __future__ import annotations

import csv

from gridwatch.services.supervision.sheets import Reject, write_rejects


def test_rejects_file_neutralises_formulas(tmp_path):
    out = tmp_path / "rejects.csv"
    write_rejects(
        out,
        [
            Reject(3, "企业名称", '=HYPERLINK("http://x","点我")', "未知企业"),
            Reject(4, "罚款金额", "-5", "金额不能为负"),
            Reject(5, "企业名称", "佛山陶瓷厂", "未知企业"),
        ],
    )
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert rows[2][2] == "'-5"
    assert rows[3][2] == "佛山陶瓷厂" and rows[1][0] == "3"
