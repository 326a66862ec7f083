"""The editable report template: Jinja2 text plus a few line marks.

The bureau edits the text; every number comes from :class:`ReportData`. Jinja2
runs sandboxed (a template is user input) with strict undefined variables, so a
misspelt figure stops the report with one sentence naming it and its line.

Line marks, after Jinja2 has run (documented at the top of the default template):

=================  =============================================================
``# 文字``          the document title
``## 文字``         a level-1 heading (一、…)
``### 文字``        a level-2 heading (（一）…)
``[[table:key]]``  the table ``key`` (also ``[[表格:key]]``)
``[[chart:key]]``  the chart ``key`` (also ``[[图表:key]]``)
``[[pagebreak]]``  a page break (also ``[[分页]]``)
``> 文字``          a right-aligned line (signature, date)
blank line         ends a paragraph; lines in between are joined
=================  =============================================================

Template variables: ``f`` (figures by key, each a
:class:`~gridwatch.analytics.figures.Figure` with ``.text``, ``.yoy_text``,
``.pct_text``, ``.target_text``, ``.previous_text``, ``.value``), ``tables``,
``charts``, ``lists``, ``assessment``, ``year``, ``prev_year``, ``next_year``,
``district``, ``bureau``, ``written_on`` (``2027年1月15日``), ``period_note``
(empty, or the period when it is shorter than the year); functions
``yoy_list(f.a, f.b, …)`` (同比分别增长…) and the filters ``zh_join`` (甲、乙和丙)
and ``num`` (a number with at most two decimals).
"""

from __future__ import annotations

import dataclasses
import re
import traceback
from importlib import resources

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gridwatch.analytics.figures import Figure, format_number, yoy_list_phrase
from gridwatch.errors import InvalidInputError

__all__ = [
    "Block",
    "default_template",
    "literal_numbers",
    "parse_blocks",
    "render_text",
]

_MARK = re.compile(
    r"^\[\[\s*(table|表格|chart|图表|pagebreak|分页)\s*(?::\s*(\S+?))?"
    r"\s*\]\]$"
)
_KINDS = {"表格": "table", "图表": "chart", "分页": "pagebreak"}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Block:
    """One piece of the rendered report.

    ``kind`` is ``title``, ``heading1``, ``heading2``, ``paragraph``, ``right``,
    ``table``, ``chart`` or ``pagebreak``; ``text`` is the text or the key.
    """

    kind: str
    text: str = ""


def default_template() -> str:
    """The shipped Chinese template, ``gridwatch/data/annual_report.zh.j2``."""
    path = resources.files("gridwatch.data").joinpath("annual_report.zh.j2")
    return path.read_text("utf-8")


def literal_numbers(template: str) -> list[str]:
    """Numbers typed in the template's text, outside ``{{ }}``/``{% %}``/``{# #}``.

    A figure typed by hand goes stale the next year; the writer reports each
    such line as a warning (``第3行：432``). Digits in ``[[…:key]]`` marks and
    Chinese numerals (一、二) are not figures.

    >>> literal_numbers("处罚{{ f.penalties.text }}\\n共处罚432次\\n")
    ['第2行：432']
    """
    out = []
    text = _JINJA.sub(lambda m: "\n" * m.group().count("\n"), template)
    for n, line in enumerate(text.splitlines(), 1):
        if _MARK.match(line.strip()):
            continue
        found = re.findall(r"[0-9０-９]+(?:[.．][0-9０-９]+)?", line)
        out += [f"第{n}行：{x}" for x in found]
    return out


def _zh_join(items) -> str:
    items = [str(x) for x in items]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def _yoy_list(*figures: Figure) -> str:
    return yoy_list_phrase([f.yoy for f in figures])


def _template_line(exc: BaseException) -> int | None:
    lines = [
        fr.lineno
        for fr in traceback.extract_tb(exc.__traceback__)
        if fr.filename == "<template>"
    ]
    return lines[-1] if lines else getattr(exc, "lineno", None)


def render_text(template: str, context: dict) -> str:
    """Run the Jinja2 template (sandboxed, strict) on ``context``.

    Raises
    ------
    InvalidInputError
        A syntax error or a name the data does not have, with the line.
    """
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["zh_join"] = _zh_join
    env.filters["num"] = lambda x, d=2: format_number(x, d)
    env.globals["yoy_list"] = _yoy_list
    try:
        return env.from_string(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidInputError(
            f"The report template has a syntax error at line {exc.lineno}: "
            f"{exc.message}."
        ) from exc
    except jinja2.UndefinedError as exc:
        line = _template_line(exc)
        name = re.search(r"attribute '([^']+)'|'([^']+)' is undefined", str(exc))
        what = next((g for g in name.groups() if g), None) if name else None
        where = f" at line {line}" if line else ""
        raise InvalidInputError(
            f"The report template refers to {what or exc.message!r}{where}, which "
            "the report data does not have; correct the name or add the figure.",
            details={"line": line, "name": what},
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise InvalidInputError(
            f"The report template does something a template may not: {exc}."
        ) from exc


def parse_blocks(text: str) -> list[Block]:
    """Split rendered template text into :class:`Block` items (marks above)."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush():
        if para:
            blocks.append(Block("paragraph", "".join(para)))
            para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        mark = _MARK.match(line)
        if not line:
            flush()
        elif mark:
            flush()
            kind = _KINDS.get(mark.group(1), mark.group(1))
            blocks.append(Block(kind, mark.group(2) or ""))
        elif line.startswith(("# ", "## ", "### ")):
            flush()
            level = len(line.split(" ", 1)[0])
            kind = ("title", "heading1", "heading2")[level - 1]
            blocks.append(Block(kind, line[level:].strip()))
        elif line.startswith(">"):
            flush()
            blocks.append(Block("right", line[1:].strip()))
        else:
            para.append(line)
    flush()
    return blocks
