"""Former names of administrative units, as data a bureau can extend.

Old registries keep the names in force when the enterprise registered:
``南海市南庄镇百合北路64号`` was right before December 2002, when 南庄镇 left the
county-level city 南海市 for the new 禅城区 (formed with the abolished 城区 and
石湾区). The table ``gridwatch/data/former_names.csv`` holds such changes, one
row per (old unit, successor):

===========  ==============================================================
old_name     the former name as written (南海市)
old_code     its GB/T 2260 code when it had one (440682), else empty
level        city, district, town or community: the old unit's level
new_name     the successor's current name (禅城区)
new_code     the successor's code (440604)
part         empty when the whole old unit went to the successor, else the
             sub-unit that did, as a town or community name (南庄镇)
from_year    first year the old name was in force (may be empty)
to_year      last year it was in force
source       where the change is documented
===========  ==============================================================

A bureau adds its own rows in a CSV with the same header (UTF-8 or GBK) and
names it in the ``GRIDWATCH_FORMER_NAMES`` setting; its rows are added to the
packaged ones. :class:`FormerNames` is what the gazetteer needs from the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.geocode.normalize import normalise_address

__all__ = ["FORMER_COLUMNS", "LEVELS", "FormerNames", "read_former_names"]

FORMER_COLUMNS = (
    "old_name",
    "old_code",
    "level",
    "new_name",
    "new_code",
    "part",
    "from_year",
    "to_year",
    "source",
)
LEVELS = ("city", "district", "town", "community")
_REQUIRED = ("old_name", "level", "new_name")


def _read_csv(source, name: str) -> pd.DataFrame:
    from gridwatch.registry.reader import detect_encoding

    encoding = detect_encoding(source) if isinstance(source, Path) else "utf-8"
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding=encoding)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InvalidInputError(
            f"{name} is not a readable CSV ({exc}); save it as CSV with the header "
            f"{','.join(FORMER_COLUMNS)}."
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"{name} lacks the column(s) {', '.join(missing)}; the header must be "
            f"{','.join(FORMER_COLUMNS)}."
        )
    for col in FORMER_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame[list(FORMER_COLUMNS)].apply(lambda s: s.str.strip())
    bad = frame.index[
        ~frame["level"].isin(LEVELS)
        | (frame["old_name"] == "")
        | (frame["new_name"] == "")
    ]
    if len(bad):
        row = int(bad[0]) + 2
        raise InvalidInputError(
            f"{name} row {row}: old_name and new_name are required and level must be "
            f"one of {', '.join(LEVELS)} (got {frame.at[bad[0], 'level']!r})."
        )
    return frame


def read_former_names(extra_path: str | Path | None = None) -> pd.DataFrame:
    """The packaged former-names table plus a bureau's own file.

    Parameters
    ----------
    extra_path : str or Path, optional
        A CSV with the columns :data:`FORMER_COLUMNS` (``old_name``, ``level``
        and ``new_name`` required); UTF-8 or GBK.

    Returns
    -------
    DataFrame
        Columns :data:`FORMER_COLUMNS`, strings ("" when empty); packaged rows
        first.

    Raises
    ------
    InvalidInputError
        The extra file is missing, unreadable, lacks a column or has a row
        without a name or with an unknown level (its row number named).

    Examples
    --------
    >>> t = read_former_names()
    >>> t.loc[t["old_name"] == "石湾区", ["new_name", "to_year"]].values.tolist()
    [['禅城区', '2002']]
    """
    packaged = resources.files("gridwatch.data").joinpath("former_names.csv")
    with packaged.open("r", encoding="utf-8") as fh:
        frames = [_read_csv(fh, "former_names.csv")]
    if extra_path:
        path = Path(extra_path)
        if not path.is_file():
            raise InvalidInputError(
                f"The former-names file {path} does not exist; fix the path in the "
                "former-names setting or remove it."
            )
        frames.append(_read_csv(path, path.name))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class FormerNames:
    """What geocoding needs from the table, for one gazetteer's district.

    ``districts`` maps a normalised former city/district name to None (the whole
    old unit is now in this district) or to the town codes that are (only those
    parts came here). ``town_aliases`` / ``community_aliases`` map former
    town/community names to today's alias spelling.
    """

    districts: dict[str, frozenset[str] | None] = field(default_factory=dict)
    town_aliases: dict[str, str] = field(default_factory=dict)
    community_aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        table: pd.DataFrame | None,
        district_names,
        town_codes_by_alias,
        community_codes_by_name,
    ) -> FormerNames:
        """Keep the rows whose successor is this district or one of its units."""
        if table is None or table.empty:
            return cls()
        districts: dict[str, frozenset[str] | None] = {}
        towns, comms = {}, {}
        for row in table.itertuples(index=False):
            old, new = normalise_address(row.old_name), normalise_address(row.new_name)
            if row.level in ("city", "district"):
                if new not in district_names:
                    continue
                part = normalise_address(row.part)
                if not part:
                    districts[old] = None
                elif districts.get(old, frozenset()) is not None:
                    codes = frozenset(town_codes_by_alias.get(part, ()))
                    districts[old] = districts.get(old, frozenset()) | codes
            elif row.level == "town" and new in town_codes_by_alias:
                towns[old] = new
            elif row.level == "community" and new in community_codes_by_name:
                comms[old] = new
        return cls(districts, towns, comms)
