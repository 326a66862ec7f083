"""Resolve a registry's town/community column (所属镇街, 所属村居) to loaded units.

A registry names the unit as a clerk writes it: ``张槎街道``, ``张槎街道办事处``,
``张槎``, ``南庄镇人民政府``, ``大富社区居委会``, ``吉利村委会``, or by its code
(9-digit town, 12-digit community, NBS division codes). Matching is exact, never
fuzzy: the text must equal a unit's name or short name, either as written or
after dropping the suffixes of the unit's kind (街道办事处/街道/镇/乡 for towns;
社区居民委员会/居委会/村民委员会/村委会/社区/村 for communities) and a leading
province/city/district name. A text that fits two units (吉利村 and 吉利社区 in one
town, written ``吉利``) resolves to neither, with the reason.

The result is a hint: the text is stored as written (``town_hint``,
``community_hint``) and its code, when resolved, beside it
(``town_hint_code``, ``community_hint_code``). The geocoder may use the codes
to narrow a search; the placed point is checked against them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from gridwatch.grids.codes import town_of

__all__ = ["UnitResolver", "normalise_unit_name"]

_TOWN_SUFFIXES = (
    "街道办事处",
    "街道办",
    "人民政府",
    "办事处",
    "街道",
    "镇",
    "乡",
    "街",
)
_COMMUNITY_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "村民委员会",
    "居委会",
    "村委会",
    "社区",
    "村",
)
# a village (村) and a community (社区) may share a core name in one town
_KIND = {"村民委员会": "村", "村委会": "村", "村": "村"}
# 广东省 / 佛山市 / 禅城区 in front of a unit name
_PREFIX = re.compile(r"^(?:.{2,7}?省)?(?:.{2,7}?市)?(?:.{1,6}?[区县])?")


def _clean(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def normalise_unit_name(text: object, level: str) -> str:
    """The comparable core of a unit name: suffixes of its kind dropped.

    >>> normalise_unit_name("张槎街道办事处", "town"), normalise_unit_name("南庄镇", "town")
    ('张槎', '南庄')
    >>> normalise_unit_name("大富社区居委会", "community")
    '大富'
    """
    core = _clean(text)
    suffixes = _TOWN_SUFFIXES if level == "town" else _COMMUNITY_SUFFIXES
    changed = True
    while changed:  # "南庄镇人民政府" drops 人民政府, then 镇
        changed = False
        for suffix in suffixes:
            if core.endswith(suffix) and len(core) > len(suffix):
                core = core[: -len(suffix)]
                changed = True
                break
    return core


def _kind_key(text: str) -> str | None:
    """``core#村`` or ``core#社区`` for a community name with a kind suffix."""
    clean = _clean(text)
    for suffix in _COMMUNITY_SUFFIXES:
        if clean.endswith(suffix) and len(clean) > len(suffix):
            kind = _KIND.get(suffix, "社区")
            return normalise_unit_name(clean, "community") + "#" + kind
    return None


@dataclass(frozen=True, slots=True)
class Resolved:
    """The code a hint names (None when it names no unit), and why not."""

    code: str | None
    reason: str = ""


@dataclass
class UnitResolver:
    """Town and community names and codes of the loaded district.

    Build it with :meth:`from_units` from ``(code, name, short_name, parent_code)``
    tuples of each level.
    """

    towns: dict[str, str] = field(default_factory=dict)  # code → name
    communities: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # code → (name, town)
    _town_keys: dict[str, set[str]] = field(default_factory=dict)
    _comm_keys: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_units(cls, towns: Iterable, communities: Iterable) -> UnitResolver:
        r = cls()
        for code, name, short, _parent in towns:
            r.towns[code] = name
            for text in (name, short):
                if text:
                    for key in (_clean(text), normalise_unit_name(text, "town")):
                        r._town_keys.setdefault(key, set()).add(code)
        for code, name, short, parent in communities:
            r.communities[code] = (name, parent or town_of(code))
            for text in (name, short):
                if text:
                    for key in (
                        _clean(text),
                        normalise_unit_name(text, "community"),
                        _kind_key(text),
                    ):
                        if key:
                            r._comm_keys.setdefault(key, set()).add(code)
        return r

    def __bool__(self) -> bool:
        return bool(self.towns or self.communities)

    def _lookup(self, text: str, level: str, keys: dict, codes) -> set[str]:
        clean = _clean(text)
        if clean in codes:
            return {clean}
        for candidate in (clean, _PREFIX.sub("", clean)):
            if not candidate:
                continue
            kind = _kind_key(candidate) if level == "community" else None
            for key in (candidate, kind, normalise_unit_name(candidate, level)):
                if key and key in keys:
                    return set(keys[key])
        return set()

    def town(self, text: object) -> Resolved:
        """The town a 所属镇街 cell names.

        >>> r = UnitResolver.from_units([("440604011", "张槎街道", None, "440604")], [])
        >>> r.town("张槎街道办事处").code, r.town("佛山市禅城区张槎").code
        ('440604011', '440604011')
        >>> r.town("石湾镇街道").code is None
        True
        """
        hits = self._lookup(str(text), "town", self._town_keys, self.towns)
        if len(hits) == 1:
            return Resolved(hits.pop())
        if hits:
            return Resolved(
                None,
                f"所属镇街 {text!r} fits several towns "
                f"({', '.join(sorted(hits))}); write its full name or code",
            )
        return Resolved(
            None, f"所属镇街 {text!r} names no loaded town or street; kept as text"
        )

    def community(self, text: object, town_code: str | None = None) -> Resolved:
        """The community a 所属村居 cell names, within ``town_code`` when given."""
        hits = self._lookup(str(text), "community", self._comm_keys, self.communities)
        if town_code is not None:
            inside = {c for c in hits if self.communities[c][1] == town_code}
            if not inside and hits:
                where = ", ".join(sorted({self.communities[c][1] for c in hits}))
                return Resolved(
                    None,
                    f"所属村居 {text!r} is in {where}, not in the town "
                    f"{town_code} named by 所属镇街; check both",
                )
            hits = inside
        if len(hits) == 1:
            return Resolved(hits.pop())
        if hits:
            return Resolved(
                None,
                f"所属村居 {text!r} fits several communities "
                f"({', '.join(sorted(hits))}); write its full name "
                "or code",
            )
        return Resolved(
            None,
            f"所属村居 {text!r} names no loaded village or community; kept as text",
        )
