"""Write sample.csv (GBK, as the city system exports it) and sample.xlsx.

A month's self-report export (自查自报) for the enterprises of the test district
``tests/db/conftest.py`` (credit codes ``make_uscc("MA00000n")``), with
one row of each case the import must handle; the comment of each row says what
the import must do with it. Run from the repository root:

    python tests/data/selfreports/make_sample.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from gridwatch.registry import make_uscc

HERE = Path(__file__).resolve().parent
HEADER = ["统一社会信用代码", "企业名称", "报送月份", "报送日期", "填报人", "隐患编号",
          "隐患描述", "隐患等级", "隐患类别", "发现日期", "整改期限", "整改完成日期",
          "整改措施"]  # fmt: skip


def code(n: int) -> str:
    """The credit code of enterprise ``n`` of the test district (its make_code)."""
    return make_uscc(f"MA{n:06d}")


#: (row cells, what the import must do) — row 1 is the title, row 2 the header
ROWS = [
    ([code(0), "企业0", "2026-02", "2026-03-05", "张三", "", "", "", "", "", "", "", ""],
     "stored: a report without hazards"),
    ([code(1), "企业1", "2026年2月", "2026/3/6", "李四", "ZC-2026-0001", "配电箱无防护门",
      "一般隐患", "电气安全", "2026-03-01", "2026-04-05", "", ""],
     "stored: the report and an ordinary hazard with its own deadline (rectifying)"),
    ([code(1), "企业1", "2026-02", "2026-03-06", "李四", "ZC-2026-0002", "灭火器过期",
      "一般", "消防安全", "2026-03-01", "2026-03-31", "2026-03-10", "已更换灭火器"],
     "stored: a second hazard of that report, rectified (rectified)"),
    ([code(2), "企业2", "2026-02", "2026-03-07", "王五", "ZC-2026-0003", "粉尘清扫制度未落实",
      "重大隐患", "粉尘防爆", "2026-03-02", "2026-06-30", "", ""],
     "stored: a major hazard, found; the proposed deadline kept in the note"),
    ([make_uscc("MA999999"), "不存在", "2026-02", "2026-03-05", "", "", "", "", "", "",
      "", "", ""], "rejected: uscc (not in the area)"),
    ([code(5), "企业5", "2026-13", "2026-03-05", "", "", "", "", "", "", "", "", ""],
     "rejected: month"),
    (["", "", "", "", "", "", "", "", "", "", "", "", ""], "blank"),
    ([code(3), "企业3", "2026-02", "", "", "", "", "", "", "", "", "", ""],
     "stored: listed as not submitted (no date)"),
    ([code(4), "企业4", "2026-02", "2026-03-08", "赵六", "ZC-2026-0004", "安全出口上锁",
      "一般隐患", "消防安全", "2026-03-05", "2026-03-20", "2026-03-01", "已开锁"],
     "rejected: rectified before found (the machine's sentence)"),
    ([code(0), "企业0", "2026-02", "2026-03-05", "张三", "", "", "", "", "", "", "", ""],
     "unchanged: the same report again"),
    ([code(0), "企业0", "2026-02", "2026-03-09", "张三", "", "", "", "", "", "", "", ""],
     "rejected: submitted_on (a different date for a stored report)"),
    ([code(6), "企业6", "2026-02", "2026-03-05", "", "ZC-2026-0005", "叉车无证驾驶",
      "严重", "特种设备", "", "", "", ""], "rejected: level"),
]  # fmt: skip


def main() -> None:
    title = ["禅城区企业安全生产隐患自查自报月报导出(2026年2月)"]
    with (HERE / "sample.csv").open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(title)
        w.writerow(HEADER)
        for cells, _ in ROWS:
            w.writerow(cells)
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自查自报"
    ws.append(title)
    ws.append(HEADER)
    for cells, _ in ROWS:
        ws.append(cells)
    wb.save(HERE / "sample.xlsx")


if __name__ == "__main__":
    main()
