"""Attributes of a boundary file: which field is what, which features to keep.

* :func:`pick_field` finds the code / name field (given or by usual names);
* :func:`apply_where` keeps the features matching ``FIELD=VALUE`` conditions (the
  real Foshan districts file holds all five districts; a bureau wants one);
* :func:`illustrative_flags` reads the per-feature 示意 / illustrative property
  (truthy values in Chinese and English) so hand-drawn boundaries are marked;
* :func:`fields_note` says which fields were used and which were ignored, so a
  property nobody reads is never dropped without a word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError

CODE_FIELDS = ("code", "adcode", "xzqdm", "xzqhdm", "区划代码", "行政区划代码", "代码",
               "gb", "dm", "id")
NAME_FIELDS = ("name", "xzqmc", "名称", "行政区名称", "村名称", "社区名称", "name_chn",
               "mc")
#: Property names that mark a feature as illustrative (示意边界), case-insensitive.
ILLUSTRATIVE_FIELDS = ("示意", "示意边界", "是否示意", "illustrative",
                       "is_illustrative", "sketch")
#: Values of that property, after strip() and lower(): true means illustrative.
TRUTHY = frozenset({"1", "true", "t", "yes", "y", "是", "真", "对", "√", "✓", "示意",
                    "示意边界", "illustrative"})
FALSY = frozenset({"", "0", "false", "f", "no", "n", "否", "假", "不是", "非", "×",
                   "官方", "official", "none", "null", "nan"})


def _fields(frame) -> list:
    return [c for c in frame.columns if c != frame.geometry.name]


def pick_field(frame, wanted: str | None, candidates, what: str) -> str | None:
    """The field holding ``what``: ``wanted`` (must exist) or the first usual name.

    >>> import geopandas as gpd
    >>> f = gpd.GeoDataFrame({"ADCODE": [1], "geometry": [None]})
    >>> pick_field(f, None, CODE_FIELDS, "code")
    'ADCODE'
    """
    cols = _fields(frame)
    if wanted is not None:
        if wanted not in cols:
            raise InvalidInputError(
                f"The file has no field {wanted!r} for the {what}; its fields are "
                f"{', '.join(map(str, cols))}.", details={"fields": cols})
        return wanted
    lower = {str(c).lower(): c for c in cols}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def clean_codes(values: pd.Series) -> pd.Series:
    """Codes as text: ``440604.0`` → ``440604``, None/NaN → ``""``, stripped."""
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()
    return values.map(one)


def parse_where(conditions) -> list[tuple[str, str]]:
    """``["adcode=440605"]`` → ``[("adcode", "440605")]``; refuses other shapes.

    >>> parse_where(["adcode=440605", "name = 南海区"])
    [('adcode', '440605'), ('name', '南海区')]
    """
    out = []
    for cond in conditions or ():
        field, sep, value = str(cond).partition("=")
        if not sep or not field.strip() or not value.strip():
            raise InvalidInputError(
                f"The condition {cond!r} is not FIELD=VALUE (e.g. adcode=440605).")
        out.append((field.strip(), value.strip()))
    return out


def apply_where(frame, conditions, source: str):
    """Features matching every field's condition (values of one field: any of them).

    Parameters
    ----------
    frame : GeoDataFrame
        As read from the file.
    conditions : list of (field, value)
        Field names match exactly, else case-insensitively; values compare as
        text after :func:`clean_codes` (so ``440605`` matches a numeric field).
    source : str
        File name for messages.

    Returns
    -------
    (GeoDataFrame, str or None)
        The kept features and a note on what was kept (None without conditions).

    Raises
    ------
    InvalidInputError
        A field the file does not have, or conditions no feature matches.
    """
    if not conditions:
        return frame, None
    cols = _fields(frame)
    lower = {str(c).lower(): c for c in cols}
    by_field: dict = {}
    for field, value in conditions:
        col = field if field in cols else lower.get(field.lower())
        if col is None:
            raise InvalidInputError(
                f"{source} has no field {field!r} to select on; its fields are "
                f"{', '.join(map(str, cols))}.", details={"fields": cols})
        by_field.setdefault(col, set()).add(value)
    keep = np.ones(len(frame), dtype=bool)
    for col, values in by_field.items():
        keep &= clean_codes(frame[col]).isin(values).to_numpy()
    if not keep.any():
        col = next(iter(by_field))
        seen = sorted(set(clean_codes(frame[col])))[:8]
        raise InvalidInputError(
            f"No feature of {source} matches {_said(by_field)}; {col} holds e.g. "
            f"{', '.join(seen)}.", details={"values": seen})
    note = (f"kept {int(keep.sum())} of {len(frame)} feature(s) where "
            f"{_said(by_field)}")
    return frame.loc[keep], note


def _said(by_field: dict) -> str:
    return " and ".join(f"{c} is {' or '.join(sorted(v))}" for c, v in by_field.items())


def illustrative_flags(frame, forced: bool, source: str):
    """Per-feature illustrative flags from a 示意/illustrative property.

    Parameters
    ----------
    frame : GeoDataFrame
    forced : bool
        Mark every feature illustrative (a file of hand-drawn boundaries).
    source : str
        File name for messages.

    Returns
    -------
    (numpy.ndarray of bool, str or None, str or None)
        The flags, the property used (None if none), and a note.

    Raises
    ------
    InvalidInputError
        A property value that is neither a yes nor a no (e.g. ``maybe``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> f = gpd.GeoDataFrame({"示意": ["是", "否", None], "geometry": [None] * 3})
    >>> flags, used, _ = illustrative_flags(f, False, "t.geojson")
    >>> flags.tolist(), used
    ([True, False, False], '示意')
    """
    col = pick_field(frame, None, ILLUSTRATIVE_FIELDS, "illustrative mark")
    if col is None:
        flags = np.full(len(frame), bool(forced))
        note = (f"all {len(frame)} unit(s) marked illustrative (示意边界)"
                if forced else None)
        return flags, None, note
    flags = np.zeros(len(frame), dtype=bool)
    for i, v in enumerate(frame[col].tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        text = str(v).strip().lower()
        if isinstance(v, bool | np.bool_) or text in TRUTHY | FALSY:
            flags[i] = bool(v) if isinstance(v, bool | np.bool_) else text in TRUTHY
            continue
        raise InvalidInputError(
            f"Feature {i + 1} of {source} has {col}={v!r}, which is neither yes "
            "(是/示意/true/1) nor no (否/false/0); fix the value.",
            details={"field": col, "row": i + 1})
    if forced:
        flags[:] = True
        return flags, col, f"all {len(frame)} unit(s) marked illustrative (示意边界)"
    return flags, col, (f"{int(flags.sum())} of {len(frame)} unit(s) marked "
                        f"illustrative (示意边界) by the {col} property")


def fields_note(frame, used: dict[str, str | None]) -> str:
    """``fields used: code ← adcode, name ← name; ignored: name_en`` for the notes."""
    taken = {v for v in used.values() if v is not None}
    parts = [f"{k} ← {v}" for k, v in used.items() if v is not None]
    ignored = [str(c) for c in _fields(frame) if c not in taken]
    return ("fields used: " + ", ".join(parts)
            + (f"; ignored: {', '.join(ignored)}" if ignored else "; none ignored"))
