"""Write report blocks as a Word document (python-docx), laid out like a 公文.

Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom
35 mm, left 28 mm, right 26 mm; body text 三号 (16 pt) 仿宋 with a two-character
first-line indent and fixed 28 pt lines (22 lines a page); level-1 headings 黑体,
level-2 headings 楷体, the title 二号 (22 pt) 小标宋 (宋体 here: 方正小标宋 is not a
Windows font); page numbers 四号 (14 pt) "— 1 —" at the foot. Tables use 小四
(12 pt). Font names are Windows' (仿宋, 黑体, 楷体, 宋体), which the bureau's PCs
have; elsewhere Word or LibreOffice substitutes an installed CJK font.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from gridwatch.errors import InvalidInputError
from gridwatch.report.charts import render_chart
from gridwatch.report.data import Chart, Table
from gridwatch.report.template import Block

__all__ = ["ReportStyle", "build_document"]


@dataclass(frozen=True)
class ReportStyle:
    """Fonts and sizes of the Word report (defaults: GB/T 9704-2012)."""

    body_font: str = "仿宋"
    heading1_font: str = "黑体"
    heading2_font: str = "楷体"
    title_font: str = "宋体"
    latin_font: str = "Times New Roman"
    body_pt: float = 16
    title_pt: float = 22
    table_pt: float = 12
    line_pt: float = 28


def _fonts(run_or_style, east_asia: str, latin: str) -> None:
    """Set the Latin and East-Asian font of a run or style (w:rFonts)."""
    run_or_style.font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)  # a theme font would override the names
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _setup(doc, st: ReportStyle) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    _fonts(normal, st.body_font, st.latin_font)
    normal.font.size = Pt(st.body_pt)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(st.line_pt)
    pf.space_before = pf.space_after = Pt(0)
    for name, font in (
        ("Heading 1", st.heading1_font),
        ("Heading 2", st.heading2_font),
        ("Title", st.title_font),
    ):
        s = doc.styles[name]
        _fonts(s, font, st.latin_font)
        s.font.size = Pt(st.title_pt if name == "Title" else st.body_pt)
        s.font.bold = name == "Title"
        s.font.italic = False
        s.font.color.rgb = RGBColor(0, 0, 0)
        spf = s.paragraph_format
        spf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spf.line_spacing = Pt(st.line_pt if name != "Title" else st.title_pt * 1.6)
        spf.space_before = Pt(0)
        spf.space_after = Pt(st.line_pt if name == "Title" else 0)
        spf.first_line_indent = None if name == "Title" else Pt(st.body_pt * 2)
        spf.keep_with_next = True
    ppr = doc.styles["Title"].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # Word's Title has a blue rule
        ppr.remove(border)
    _page_numbers(sec, st)


def _page_numbers(section, st: ReportStyle) -> None:
    """Centred "— PAGE —" in the footer (GB/T 9704 puts 一字线 beside the number)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("— ", None, " —"):
        run = p.add_run(part or "")
        _fonts(run, "宋体", st.latin_font)
        run.font.size = Pt(14)
        if part is None:
            for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                else:
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = text
                run._r.append(el)


def _caption(doc, text: str, st: ReportStyle) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.keep_with_next = True
    run = p.add_run(text)
    _fonts(run, st.heading1_font, st.latin_font)
    run.font.size = Pt(st.table_pt + 2)


def _note(doc, text: str, st: ReportStyle) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = Pt(st.table_pt * 1.5)
    run = p.add_run(text)
    run.font.size = Pt(st.table_pt - 1.5)


def _cell(cell, text: str, st: ReportStyle, *, bold=False, right=False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = Pt(st.table_pt * 1.35)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.font.size = Pt(st.table_pt)
    run.bold = bold


def _text_width(text: str) -> float:
    """Width in em: a CJK character 1, Latin about 0.62 (DejaVu Serif digits)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.62 for ch in text)


def _column_widths(grid, table: Table, st: ReportStyle, text_mm: float = 156) -> None:
    """Share the text width (156 mm on A4) by each column's longest cell.

    Each column asks for its longest cell (2 to 12 em, plus 1 em of padding).
    Numbers, dates and short columns get what they ask, since wrapping them
    breaks "2026-06-18" in two; when that overflows the page, only the long text
    columns give way (down to 4 em), and what is left over widens every column.
    """
    em_mm = st.table_pt * 0.3528  # 1 pt = 0.3528 mm
    need, fixed = [], []
    for k, col in enumerate(table.columns):
        texts = [col] + [table.cell_text(col, r[k]) for r in table.rows]
        widest = max(map(_text_width, texts))
        need.append(min(12.0, max(2.0, widest)) + 1.0)
        fmt = {table.format_of(col, r[k]) for r in table.rows} or {"text"}
        fixed.append(fmt != {"text"} or need[-1] <= 6)
    avail = text_mm / em_mm
    rigid = sum(n for n, f in zip(need, fixed) if f)
    flexible = sum(n for n, f in zip(need, fixed) if not f)
    if rigid + flexible > avail and flexible:
        shrink = max(0.0, avail - rigid) / flexible
        need = [n if f else max(4.0, n * shrink) for n, f in zip(need, fixed)]
    grid.autofit = False
    for k, weight in enumerate(need):
        width = Mm(text_mm * weight / sum(need))
        grid.columns[k].width = width  # w:gridCol, which LibreOffice reads
        for cell in grid.columns[k].cells:
            cell.width = width


def add_table(doc, table: Table, number: int, st: ReportStyle) -> None:
    """A captioned grid table; headers bold and repeated on each page."""
    _caption(doc, f"表{number}  {table.title}", st)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, col in zip(header.cells, table.columns):
        _cell(cell, col, st, bold=True)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, col, value in zip(cells, table.columns, row):
            fmt = table.format_of(col, value)
            _cell(
                cell,
                table.cell_text(col, value),
                st,
                right=fmt in ("int", "num", "pct", "wan"),
            )
    _column_widths(grid, table, st)
    if not table.rows:
        cells = grid.add_row().cells
        merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
        _cell(merged, "（无）", st)
    if table.note:
        _note(doc, table.note, st)
    else:
        doc.add_paragraph().paragraph_format.line_spacing = Pt(st.table_pt)


def add_chart(doc, chart: Chart, number: int, st: ReportStyle) -> None:
    """The chart as a PNG, 15.5 cm wide, captioned below."""
    png = render_chart(chart)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Mm(155))
    _caption(doc, f"图{number}  {chart.title}", st)


def build_document(
    blocks: list[Block],
    tables: dict[str, Table],
    charts: dict[str, Chart],
    style: ReportStyle | None = None,
):
    """A python-docx ``Document`` from parsed template blocks.

    Raises
    ------
    InvalidInputError
        A ``[[table:…]]`` or ``[[chart:…]]`` mark naming something the data does
        not have (the sentence lists what it has).
    """
    st = style or ReportStyle()
    doc = Document()
    _setup(doc, st)
    n_table = n_chart = 0
    for b in blocks:
        if b.kind == "title":
            doc.add_paragraph(
                b.text, style="Title"
            ).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.kind in ("heading1", "heading2"):
            doc.add_paragraph(
                b.text, style="Heading 1" if b.kind == "heading1" else "Heading 2"
            )
        elif b.kind == "paragraph":
            doc.add_paragraph(b.text).paragraph_format.first_line_indent = Pt(
                st.body_pt * 2
            )
        elif b.kind == "right":
            p = doc.add_paragraph(b.text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif b.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind == "table":
            n_table += 1
            add_table(doc, _lookup(tables, b.text, "table"), n_table, st)
        elif b.kind == "chart":
            n_chart += 1
            add_chart(doc, _lookup(charts, b.text, "chart"), n_chart, st)
    return doc


def _lookup(items: dict, key: str, kind: str):
    if key in items:
        return items[key]
    have = ", ".join(sorted(items)) or "none"
    raise InvalidInputError(
        f"The report template places the {kind} {key!r}, which the report data does "
        f"not have (it has: {have}); correct the mark or add the {kind}."
    )
