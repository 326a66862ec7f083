"""Report charts with matplotlib, in a CJK font from Debian's fonts-noto-cjk.

matplotlib's default DejaVu Sans has no Chinese glyphs and draws tofu boxes, so
every chart is drawn with a CJK font found through matplotlib's font manager;
without one the report stops with one sentence naming the package to install.
The object-oriented API (``Figure`` + Agg canvas) is used, never ``pyplot``, so
no global state changes and nothing needs a display.
"""

from __future__ import annotations

import io
from functools import lru_cache

from gridwatch.errors import ConfigError
from gridwatch.report.data import Chart

__all__ = ["CJK_FONT_PREFERENCE", "find_cjk_font", "render_chart"]

#: Font families tried in order (simplified Chinese first).
CJK_FONT_PREFERENCE = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
)
#: Colours of the series (ColorBrewer "Set1"-like, print-safe).
SERIES_COLORS = ("#2b6cb0", "#c05621", "#2f855a", "#805ad5", "#718096")


@lru_cache(maxsize=1)
def find_cjk_font() -> str:
    """The file of the first installed font of :data:`CJK_FONT_PREFERENCE`.

    Raises
    ------
    ConfigError
        No CJK font: install the Debian package fonts-noto-cjk.
    """
    from matplotlib import font_manager

    by_name: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.weight in (400, "normal", "regular", "book"):
            by_name.setdefault(entry.name, entry.fname)
        else:
            by_name.setdefault(entry.name + " (other)", entry.fname)
    for name in CJK_FONT_PREFERENCE:
        path = by_name.get(name) or by_name.get(name + " (other)")
        if path:
            return path
    raise ConfigError(
        "No Chinese (CJK) font was found for the report's charts; install the "
        "Debian package fonts-noto-cjk.",
        details={"hint": "apt-get install fonts-noto-cjk"},
    )


def _value_label(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def render_chart(
    chart: Chart, *, width_cm: float = 15.5, height_cm: float = 8.0, dpi: int = 200
) -> bytes:
    """Draw ``chart`` as a PNG (bytes), with Chinese labels in a CJK font.

    Raises
    ------
    ConfigError
        No CJK font installed (:func:`find_cjk_font`).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=find_cjk_font(), size=9)
    fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = list(chart.series)
    n = max(len(names), 1)
    pos = list(range(len(chart.categories)))
    for k, name in enumerate(names):
        values = chart.series[name]
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        if chart.kind == "line":
            ax.plot(pos, values, marker="o", color=color, label=name)
            continue
        step = 0.8 / n
        at = [p - 0.4 + step * (k + 0.5) for p in pos]
        draw = ax.barh if chart.kind == "barh" else ax.bar
        bars = draw(at, values, step * 0.92, color=color, label=name)
        if len(chart.categories) * n <= 24:  # value labels while they still fit
            ax.bar_label(
                bars,
                labels=[_value_label(v) for v in values],
                fontproperties=font,
                fontsize=7,
                padding=2,
            )
    cat_axis = ax.yaxis if chart.kind == "barh" else ax.xaxis
    cat_axis.set_ticks(pos, chart.categories)
    if chart.kind == "barh":
        ax.invert_yaxis()  # first category on top
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontproperties(font)
    if (
        chart.kind != "barh"
        and len(chart.categories) > 6
        and max((len(c) for c in chart.categories), default=0) > 3
    ):
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
    if chart.unit:  # upright above the axis: a rotated 家 reads badly
        ax.set_title(f"单位：{chart.unit}", loc="left", fontproperties=font)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x" if chart.kind == "barh" else "y", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    if n > 1 or chart.kind == "line":  # above the plot, clear of the bars
        ax.legend(
            prop=font,
            frameon=False,
            loc="lower right",
            ncol=n,
            bbox_to_anchor=(1.0, 1.0),
            borderaxespad=0.2,
        )
    if chart.kind != "line":
        lo, hi = (ax.get_xlim if chart.kind == "barh" else ax.get_ylim)()
        (ax.set_xlim if chart.kind == "barh" else ax.set_ylim)(lo, hi * 1.08)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
