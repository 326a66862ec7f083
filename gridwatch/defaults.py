"""The shipped defaults of gridwatch's tunable figures, in one place.

:mod:`gridwatch.config` declares each setting with these defaults, and the domain
functions fall back on the same objects when called without settings (library use,
tests, the demo generator), so a default can never differ between the two. A bureau
changes them through the settings (``GRIDWATCH_RISK_WEIGHTS`` …), not here.

The keys are the controlled vocabularies of :mod:`gridwatch.vocab` (risk levels
red/orange/yellow/blue = 重大/较大/一般/低; hazard levels ordinary/major); the
settings loader refuses any other key and any missing one.

>>> from gridwatch.vocab import HAZARD_LEVELS, RISK_LEVELS
>>> list(RISK_WEIGHTS) == list(DUE_DAYS) == list(RISK_LEVELS)
True
>>> list(HAZARD_WEIGHTS) == list(HAZARD_LEVELS)
True
"""

from __future__ import annotations

from types import MappingProxyType

#: Workload of one enterprise per risk level, in "blue enterprise" units: a red
#: (重大风险) enterprise is visited about 12 times as often as a blue one (see
#: DUE_DAYS) but a visit is not 12 times the work, so the weights are flatter. Used
#: to balance grids (grids/) and wardens (assign/).
RISK_WEIGHTS = MappingProxyType({"red": 4.0, "orange": 3.0, "yellow": 2.0, "blue": 1.0})

#: Severity of a hazard in hotspot analysis (analytics/hotspots): a major hazard
#: (重大事故隐患, SAWS Order No. 16, 2007) needs production stopped and outside help,
#: and weighs five ordinary ones.
HAZARD_WEIGHTS = MappingProxyType({"ordinary": 1.0, "major": 5.0})

#: Inspection due interval in days per risk level (分级分类监管): red monthly, orange
#: quarterly, yellow half-yearly, blue yearly. A local default of gridwatch's demo
#: district, not a national rule; every district sets its own.
DUE_DAYS = MappingProxyType({"red": 30, "orange": 90, "yellow": 182, "blue": 365})
