"""Write gridwatch/data/cjk_lookalikes.csv from the Unicode Character Database.

Source: ``EquivalentUnifiedIdeograph.txt`` of the UCD (Unicode 15.0.0 as shipped by
Debian's ``unicode-data`` package at /usr/share/unicode/; also at
unicode.org/Public/UCD/latest/ucd/). It maps every CJK radical (Kangxi Radicals
U+2F00-2FDF, CJK Radicals Supplement U+2E80-2EFF) and CJK stroke (U+31C0-31EF)
that has a visually identical or near-identical unified ideograph to that
ideograph; ⻄ U+2EC4 CJK RADICAL WEST TWO → 西 U+897F. NFKC folds the Kangxi
radicals but only two characters of the Supplement (U+2E9F, U+2EF3), so
registry text typed through some input methods or copied from PDFs keeps
radicals that look exactly like the ideograph in a gazetteer name.

    python scripts/make_cjk_lookalikes.py [/usr/share/unicode/EquivalentUnifiedIdeograph.txt]

The file is data under the Unicode License (https://www.unicode.org/license.txt);
the CSV keeps the UCD version and copyright line in its first comment lines.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

DEFAULT = Path("/usr/share/unicode/EquivalentUnifiedIdeograph.txt")
OUT = Path(__file__).resolve().parents[1] / "gridwatch" / "data" / "cjk_lookalikes.csv"


def parse(path: Path) -> tuple[list[str], list[tuple[int, int, str]]]:
    """(header comment lines to keep, [(code point, unified code point, name)])."""
    keep, rows = [], []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith(("# EquivalentUnifiedIdeograph", "# ©")):
            keep.append(line.lstrip("# ").strip())
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        span, target = (part.strip() for part in body.split(";"))
        lo, _, hi = span.partition("..")
        for cp in range(int(lo, 16), int(hi or lo, 16) + 1):
            rows.append((cp, int(target, 16), unicodedata.name(chr(cp), "")))
    return keep, rows


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT
    keep, rows = parse(src)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        for line in keep:
            fh.write(f"# {line}\n")
        fh.write(f"# derived by scripts/make_cjk_lookalikes.py from {src.name}\n")
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code_point", "char", "unified_code_point", "unified", "name"])
        for cp, target, name in rows:
            out.writerow([f"U+{cp:04X}", chr(cp), f"U+{target:04X}", chr(target), name])
    print(f"wrote {len(rows)} mappings to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
