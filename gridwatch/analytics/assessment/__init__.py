"""Responsibility assessment (责任制考核) of towns/streets: scheme, scoring, veto.

* :mod:`.accidents`: accident grades of Decree No. 493 and the accident record.
* :mod:`.sources`: the named figures an indicator may use, and :class:`Measured`.
* :mod:`.rules`: linear, step and deduct scoring rules.
* :mod:`.scheme`: the scheme the bureau edits (TOML/YAML), with validation.
* :mod:`.scoring`: :func:`score` → points, veto, rank and grade per unit.
"""

from gridwatch.analytics.assessment.accidents import (
    GRADE_ORDER,
    Accident,
    accident_grade,
    grade_rank,
    normalise_grade,
)
from gridwatch.analytics.assessment.rules import DeductRule, LinearRule, Rule, StepRule
from gridwatch.analytics.assessment.scheme import (
    GradeBand,
    Indicator,
    Scheme,
    VetoRule,
    default_scheme,
    load_scheme,
    parse_scheme,
    scheme_from_text,
)
from gridwatch.analytics.assessment.scoring import (
    Assessment,
    IndicatorScore,
    UnitScore,
    VetoHit,
    score,
)
from gridwatch.analytics.assessment.sources import MANUAL, SOURCES, DataSource, Measured

__all__ = [
    "GRADE_ORDER",
    "MANUAL",
    "SOURCES",
    "Accident",
    "Assessment",
    "DataSource",
    "DeductRule",
    "GradeBand",
    "Indicator",
    "IndicatorScore",
    "LinearRule",
    "Measured",
    "Rule",
    "Scheme",
    "StepRule",
    "UnitScore",
    "VetoHit",
    "VetoRule",
    "accident_grade",
    "default_scheme",
    "grade_rank",
    "load_scheme",
    "normalise_grade",
    "parse_scheme",
    "scheme_from_text",
    "score",
]
