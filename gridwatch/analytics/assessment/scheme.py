"""The indicator scheme of the responsibility assessment (责任制考核方案).

The bureau edits the scheme as a TOML (or YAML) file; :func:`parse_scheme` checks
all of it and reports every problem at once, each as one sentence naming the
indicator. The shipped default is ``gridwatch/data/assessment_scheme.toml``
(:func:`default_scheme`), whose comments document the format::

    [scheme]
    name = "镇（街道）安全生产责任制考核方案"
    total_weight = 100            # the weights must add up to this

    [veto]                        # 一票否决
    min_grade = "较大"            # an accident of this grade or worse fails the unit

    [[grades]]                    # 考核等次, best first (optional)
    name = "优秀"
    min_score = 90

    [[indicators]]
    key = "coverage"              # stable identifier (letters, digits, _)
    name = "检查覆盖率"
    source = "coverage_rate"      # one of SOURCES, or "manual"
    weight = 15
    rule = "linear"               # linear | step | deduct (see rules.py)
    full_at = 95                  # percent for rates and targets
    zero_at = 60
    basis = "区安委办考核细则第3条"  # where the rule comes from

A manual indicator (``source = "manual"``) also names its ``unit`` (次, 场).
``if_not_applicable`` (``full`` or ``zero``, default ``full``) decides the points
of a rate with nothing to measure (no hazard due: full marks, since there was
nothing to rectify late).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from gridwatch.analytics.assessment.accidents import normalise_grade
from gridwatch.analytics.assessment.rules import DeductRule, LinearRule, Rule, StepRule
from gridwatch.analytics.assessment.sources import MANUAL, SOURCES, DataSource
from gridwatch.analytics.figures import format_number
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import ACCIDENT_GRADES

__all__ = [
    "GradeBand",
    "Indicator",
    "Scheme",
    "VetoRule",
    "default_scheme",
    "load_scheme",
    "parse_scheme",
    "scheme_from_text",
]

_COMMON = {
    "key",
    "name",
    "source",
    "weight",
    "rule",
    "unit",
    "if_not_applicable",
    "basis",
    "description",
}
_RULE_FIELDS = {
    "linear": {"full_at", "zero_at"},
    "step": {"steps", "direction", "otherwise"},
    "deduct": {"per_item", "allowance", "cap"},
}
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SOURCE_UNITS = {"rate": "%", "of_target": "%", "count": "项"}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what is measured, its weight and how it is scored.

    Attributes
    ----------
    key : str
    name : str
        Chinese name shown in the ranking table.
    source : str
        A key of :data:`~gridwatch.analytics.assessment.sources.SOURCES`.
    weight : float
        Maximum points.
    rule : LinearRule, StepRule or DeductRule
    unit : str
        Unit of the thresholds: ``%`` for rates and targets, ``项`` for counts,
        the scheme's own for manual figures.
    if_not_applicable : {"full", "zero"}
    basis : str
        Where the rule comes from (a clause of the bureau's rules).
    description : str
    """

    key: str
    name: str
    source: str
    weight: float
    rule: Rule
    unit: str = ""
    if_not_applicable: Literal["full", "zero"] = "full"
    basis: str = ""
    description: str = ""

    @property
    def data_source(self) -> DataSource:
        """The :class:`DataSource` named by ``source``."""
        return SOURCES[self.source]

    @property
    def rule_text(self) -> str:
        """The rule in Chinese, for the ranking table and the report."""
        return self.rule.describe(self.unit)


@dataclass(frozen=True)
class VetoRule:
    """One-vote veto (一票否决): an accident this grave fails the unit.

    ``min_grade`` is a grade code of :data:`gridwatch.vocab.ACCIDENT_GRADES`; the
    seed's veto is 较大 or worse (``relatively_serious``).
    """

    min_grade: str = "relatively_serious"
    enabled: bool = True
    basis: str = ""

    @property
    def text(self) -> str:
        """Chinese: ``发生较大及以上生产安全事故的，实行一票否决``."""
        grade = ACCIDENT_GRADES[self.min_grade].removesuffix("事故")
        return f"发生{grade}及以上生产安全事故的，实行一票否决"


@dataclass(frozen=True)
class GradeBand:
    """An assessment grade (考核等次) reached from ``min_score`` points."""

    name: str
    min_score: float


@dataclass(frozen=True)
class Scheme:
    """A complete, valid assessment scheme (build it with :func:`parse_scheme`)."""

    name: str
    indicators: tuple[Indicator, ...]
    veto: VetoRule = field(default_factory=VetoRule)
    grades: tuple[GradeBand, ...] = ()
    total_weight: float = 100.0
    version: str = ""
    failed_grade: str = "不合格"

    def indicator(self, key: str) -> Indicator:
        """The indicator with this key (KeyError naming it otherwise)."""
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(f"no indicator {key!r} in scheme {self.name!r}")

    def to_dict(self) -> dict:
        """Plain data that :func:`parse_scheme` reads back to an equal scheme."""
        inds = []
        for ind in self.indicators:
            d = {
                "key": ind.key,
                "name": ind.name,
                "source": ind.source,
                "weight": ind.weight,
                "rule": ind.rule.name,
                "unit": ind.unit,
                "if_not_applicable": ind.if_not_applicable,
                "basis": ind.basis,
                "description": ind.description,
            }
            r = ind.rule
            if isinstance(r, LinearRule):
                d.update(full_at=r.full_at, zero_at=r.zero_at)
            elif isinstance(r, StepRule):
                d.update(
                    steps=[list(s) for s in r.steps],
                    direction=r.direction,
                    otherwise=r.otherwise,
                )
            else:
                d.update(per_item=r.per_item, allowance=r.allowance)
                if r.cap is not None:
                    d["cap"] = r.cap
            inds.append(d)
        return {
            "scheme": {
                "name": self.name,
                "version": self.version,
                "total_weight": self.total_weight,
                "failed_grade": self.failed_grade,
            },
            "veto": {
                "enabled": self.veto.enabled,
                "min_grade": self.veto.min_grade,
                "basis": self.veto.basis,
            },
            "grades": [{"name": g.name, "min_score": g.min_score} for g in self.grades],
            "indicators": inds,
        }

    @property
    def digest(self) -> str:
        """SHA-256 of :meth:`to_dict` (12 hex digits): which scheme scored a period."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _num(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Errors(list):
    def at(self, where: str, problem: str) -> None:
        self.append(f"{where}: {problem}.")


def _where(k: int, raw: dict) -> str:
    key, name = raw.get("key"), raw.get("name")
    who = f'"{key}"' if isinstance(key, str) and key else f"number {k + 1}"
    return f"Indicator {who}" + (f" ({name})" if isinstance(name, str) and name else "")


def _build_rule(raw: dict, where: str, errors: _Errors):
    kind = raw.get("rule")
    if kind not in _RULE_FIELDS:
        errors.at(where, f"rule must be linear, step or deduct, not {kind!r}")
        return None
    unknown = sorted(set(raw) - _COMMON - _RULE_FIELDS[kind])
    if unknown:
        errors.at(
            where,
            f"unknown field(s) {', '.join(unknown)} for a {kind} rule "
            f"(it takes {', '.join(sorted(_RULE_FIELDS[kind]))})",
        )
    try:
        if kind == "linear":
            args = [raw.get("full_at"), raw.get("zero_at")]
            if not all(_num(a) for a in args):
                errors.at(where, "a linear rule needs numbers full_at and zero_at")
                return None
            return LinearRule(*map(float, args))
        if kind == "step":
            steps = raw.get("steps")
            if not isinstance(steps, list) or not all(
                isinstance(s, list) and len(s) == 2 and all(map(_num, s)) for s in steps
            ):
                errors.at(where, "steps must be a list of [threshold, points] pairs")
                return None
            other = raw.get("otherwise", 0)
            if not _num(other):
                errors.at(where, "otherwise must be a number of points")
                return None
            return StepRule(
                tuple((float(t), float(p)) for t, p in steps),
                raw.get("direction", "at_least"),
                float(other),
            )
        per, allow, cap = raw.get("per_item"), raw.get("allowance", 0), raw.get("cap")
        if not _num(per) or not _num(allow) or not (cap is None or _num(cap)):
            errors.at(
                where,
                "a deduct rule needs a number per_item (and numbers "
                "allowance and cap if given)",
            )
            return None
        return DeductRule(float(per), float(allow), None if cap is None else float(cap))
    except (TypeError, ValueError) as exc:  # pragma: no cover - guarded above
        errors.at(where, str(exc))
        return None


def _build_indicator(k: int, raw, seen: set, errors: _Errors) -> Indicator | None:
    if not isinstance(raw, dict):
        errors.append(f"Indicator number {k + 1} is not a table of fields.")
        return None
    where = _where(k, raw)
    key, name, source, weight = (
        raw.get(f) for f in ("key", "name", "source", "weight")
    )
    n_before = len(errors)
    if not isinstance(key, str) or not _KEY.match(key):
        errors.at(
            where,
            "key must be lower-case letters, digits and _ "
            f"starting with a letter, got {key!r}",
        )
    elif key in seen:
        errors.at(where, "the key is used by another indicator; keys must be unique")
    seen.add(key)
    if not isinstance(name, str) or not name.strip():
        errors.at(where, "name (the Chinese name) is missing")
    if source not in SOURCES:
        errors.at(
            where, f"unknown data source {source!r}; use one of {', '.join(SOURCES)}"
        )
    if not _num(weight) or weight <= 0:
        errors.at(where, f"weight must be a number above 0, got {weight!r}")
    nap = raw.get("if_not_applicable", "full")
    if nap not in ("full", "zero"):
        errors.at(where, f"if_not_applicable must be full or zero, not {nap!r}")
    unit = raw.get("unit")
    if source == MANUAL and not (isinstance(unit, str) and unit):
        errors.at(where, "a manual indicator needs a unit (次, 场, %) for its figure")
    rule = _build_rule(raw, where, errors)
    if len(errors) > n_before or rule is None:
        return None
    src = SOURCES[source]
    for problem in rule.problems(float(weight), src.higher_is_better):
        errors.at(where, problem)
    if len(errors) > n_before:
        return None
    return Indicator(
        key,
        name.strip(),
        source,
        float(weight),
        rule,
        unit if source == MANUAL else (src.unit or _SOURCE_UNITS[src.kind]),
        nap,
        str(raw.get("basis", "")),
        str(raw.get("description", "")),
    )


def _build_veto(raw, errors: _Errors) -> VetoRule:
    if raw is None:
        return VetoRule()
    if not isinstance(raw, dict):
        errors.append("The [veto] section must be a table.")
        return VetoRule()
    unknown = sorted(set(raw) - {"enabled", "min_grade", "basis"})
    if unknown:
        errors.append(f"The [veto] section has unknown field(s) {', '.join(unknown)}.")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append("The veto's enabled must be true or false.")
        enabled = True
    try:
        grade = normalise_grade(raw.get("min_grade", "relatively_serious"))
    except InvalidInputError:
        errors.append(
            f"The veto's min_grade {raw.get('min_grade')!r} is not a grade; "
            "use 一般, 较大, 重大 or 特别重大."
        )
        grade = "relatively_serious"
    return VetoRule(grade, enabled, str(raw.get("basis", "")))


def _build_grades(raw, total: float, errors: _Errors) -> tuple[GradeBand, ...]:
    if not isinstance(raw, list) or not all(
        isinstance(g, dict)
        and isinstance(g.get("name"), str)
        and _num(g.get("min_score"))
        for g in raw
    ):
        errors.append("Each [[grades]] entry needs a name and a number min_score.")
        return ()
    bands = tuple(GradeBand(g["name"], float(g["min_score"])) for g in raw)
    scores = [b.min_score for b in bands]
    if any(a <= b for a, b in itertools.pairwise(scores)):
        errors.append(
            "The [[grades]] must be listed best first with falling min_score."
        )
    if any(not 0 <= s <= total for s in scores):
        errors.append(
            f"A grade's min_score lies outside 0 to {format_number(total, 2)}."
        )
    if len({b.name for b in bands}) != len(bands):
        errors.append("Two [[grades]] share one name.")
    return bands


def parse_scheme(data: dict) -> Scheme:
    """Check a scheme read from TOML/YAML and build it.

    Parameters
    ----------
    data : dict
        Sections ``scheme`` (``name``, optional ``version``, ``total_weight``
        default 100, ``failed_grade`` default 不合格), ``veto`` (optional),
        ``grades`` (optional list), ``indicators`` (list of tables; fields in the
        module docstring and :mod:`~gridwatch.analytics.assessment.rules`).

    Returns
    -------
    Scheme

    Raises
    ------
    InvalidInputError
        Every problem found: ``user_msg`` names the first and how many there are;
        ``details["errors"]`` lists them all, one sentence each naming the
        indicator (weights not adding up, an unknown data source, inverted
        thresholds, an unknown field, ...).
    """
    if not isinstance(data, dict):
        raise InvalidInputError("The assessment scheme must be a table of sections.")
    errors = _Errors()
    unknown = sorted(set(data) - {"scheme", "veto", "grades", "indicators"})
    if unknown:
        errors.append(
            f"Unknown section(s) {', '.join(unknown)}; the scheme has "
            "scheme, veto, grades and indicators."
        )
    head = data.get("scheme") or {}
    name = head.get("name") if isinstance(head, dict) else None
    if not isinstance(name, str) or not name.strip():
        errors.append("The [scheme] section needs a name.")
        name = ""
    total = head.get("total_weight", 100) if isinstance(head, dict) else 100
    if not _num(total) or total <= 0:
        errors.append(f"The scheme's total_weight must be above 0, got {total!r}.")
        total = 100
    raw_inds = data.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        errors.append("The scheme has no [[indicators]]; add at least one.")
        raw_inds = []
    seen: set = set()
    inds = [_build_indicator(k, r, seen, errors) for k, r in enumerate(raw_inds)]
    weights = sum(
        r.get("weight", 0)
        for r in raw_inds
        if isinstance(r, dict) and _num(r.get("weight"))
    )
    if raw_inds and abs(weights - total) > 1e-9:
        errors.append(
            f"The indicator weights add up to {format_number(weights, 2)}, "
            f"not {format_number(total, 2)}; adjust them."
        )
    veto = _build_veto(data.get("veto"), errors)
    grades = _build_grades(data.get("grades", []), float(total), errors)
    if errors:
        more = (
            f" ({len(errors) - 1} more problem(s) listed in details)"
            if len(errors) > 1
            else ""
        )
        raise InvalidInputError(
            f"The assessment scheme is not valid: {errors[0]}{more}",
            details={
                "errors": list(errors),
                "hint": "Fix the scheme file and load it again.",
            },
        )
    failed = head.get("failed_grade", "不合格") if isinstance(head, dict) else "不合格"
    return Scheme(
        name.strip(),
        tuple(inds),
        veto,
        grades,
        float(total),
        str(head.get("version", "")),
        str(failed),
    )


def load_scheme(source: str | Path, fmt: str | None = None) -> Scheme:
    """Read a scheme from a TOML or YAML file (by suffix, or ``fmt``).

    Raises
    ------
    InvalidInputError
        An unreadable file, bad TOML/YAML syntax (with its line), or an invalid
        scheme (see :func:`parse_scheme`).
    """
    path = Path(source)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"Cannot read the assessment scheme {path}: {exc}; save it as UTF-8."
        ) from exc
    return parse_scheme(_parse_text(text, fmt, str(path)))


def _parse_text(text: str, fmt: str, name: str) -> dict:
    if fmt == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError(f"{name} is not valid TOML: {exc}.") from exc
    if fmt in ("yaml", "yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InvalidInputError(f"{name} is not valid YAML: {exc}.") from exc
    raise InvalidInputError(
        f"Unknown scheme format {fmt!r} for {name}; use .toml or .yaml."
    )


def scheme_from_text(text: str, fmt: str = "toml") -> Scheme:
    """:func:`parse_scheme` of TOML/YAML text (an admin page's text area)."""
    return parse_scheme(_parse_text(text, fmt.lower(), "the scheme text"))


def default_scheme() -> Scheme:
    """The shipped scheme, ``gridwatch/data/assessment_scheme.toml``."""
    text = resources.files("gridwatch.data").joinpath("assessment_scheme.toml")
    return scheme_from_text(text.read_text("utf-8"))
