"""The bureau's figures: one function per figure over one scope's records.

* :mod:`.period`: the chosen period and the same period a year earlier;
* :mod:`.records`: the frames the figures are counted from;
* :mod:`.tally`: the items behind a figure (town, month and district totals,
  drill-down lists all read from them);
* :mod:`.work`, :mod:`.enforcement`, :mod:`.foundations`, :mod:`.accidents`:
  the figure functions, rules in each module's docstring;
* :mod:`.catalogue`: the functions by key, and how the assessment reads them.

Pure: the services load :class:`Records` in the acting user's scope and hand
them in; nothing here touches the database.
"""

from gridwatch.analytics.bureau.catalogue import (
    ASSESSMENT_SOURCES,
    EXTRA,
    FIGURES,
    TARGETED,
    FigureInfo,
    figure_target,
    source_measured,
    tally,
)
from gridwatch.analytics.bureau.period import Period, parse_period, year_period
from gridwatch.analytics.bureau.records import COLUMNS, Records, empty_frame
from gridwatch.analytics.bureau.tally import Tally, unavailable

__all__ = [
    "ASSESSMENT_SOURCES",
    "COLUMNS",
    "EXTRA",
    "FIGURES",
    "TARGETED",
    "FigureInfo",
    "Period",
    "Records",
    "Tally",
    "empty_frame",
    "figure_target",
    "parse_period",
    "source_measured",
    "tally",
    "unavailable",
    "year_period",
]
