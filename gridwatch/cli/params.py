"""Click parameter types that refuse edge values at the command line.

Every option is checked here, before a service runs: a seed is a whole number
from 0 to 2**32-1 (what numpy's generators take), a float is finite (``nan``
and ``inf`` pass click's own ``FloatRange`` since every comparison with NaN is
false), a name is not empty, an input file exists, an output file's folder
exists, a CRS is a datum name or a code pyproj knows. Each failure is click's
one-line ``Error: Invalid value for '--opt': ...``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import click

#: numpy's ``default_rng`` and the partition's seeds take 0 <= seed < 2**32 here.
SEED = click.IntRange(0, 2**32 - 1)
#: Database ids (versions, rows) are positive and fit a 64-bit integer.
ROW_ID = click.IntRange(1, 2**63 - 1)
#: A calendar year of records or reports (the People's Republic's statistics
#: start in 1949; nothing is planned beyond 2100).
YEAR = click.IntRange(1949, 2100)


class FiniteFloat(click.FloatRange):
    """A ``FloatRange`` that also refuses ``nan`` and ``±inf``."""

    name = "finite float"

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


class Text(click.ParamType):
    """Text that is not empty or blank (a name, a code, a label)."""

    name = "text"

    def __init__(self, max_length: int = 200):
        self.max_length = max_length

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not text:
            self.fail("it is empty; give a value.", param, ctx)
        if len(text) > self.max_length:
            self.fail(f"it is longer than {self.max_length} characters.", param, ctx)
        return text


class Digits(Text):
    """An administrative code: digits only, of one of the given lengths."""

    name = "code"

    def __init__(self, *lengths: int):
        super().__init__(max_length=max(lengths))
        self.lengths = lengths

    def convert(self, value, param, ctx):
        text = super().convert(value, param, ctx)
        if not text.isdigit() or len(text) not in self.lengths:
            want = " or ".join(map(str, self.lengths))
            self.fail(f"{text!r} is not a {want}-digit code.", param, ctx)
        return text


class OutputPath(click.Path):
    """A file to write: not a folder, and its folder must exist."""

    def __init__(self):
        super().__init__(dir_okay=False, path_type=str)

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail("it is empty; give a file name.", param, ctx)
        path = super().convert(value, param, ctx)
        folder = Path(path).expanduser().resolve().parent
        if not folder.is_dir():
            self.fail(f"the folder {folder} does not exist.", param, ctx)
        return path


def input_file(**kwargs) -> click.Path:
    """An existing, readable file (not a folder)."""
    return click.Path(exists=True, dir_okay=False, readable=True, **kwargs)


class CRSParam(click.ParamType):
    """A datum name (wgs84, cgcs2000, gcj02, bd09) or a CRS code (EPSG:4547)."""

    name = "crs"
    DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09")

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if text.lower() in self.DATUMS:
            return text.lower()
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(text)
        except CRSError:
            self.fail(
                f"{text!r} is neither a datum ({', '.join(self.DATUMS)}) nor a CRS "
                "code such as EPSG:4547.",
                param,
                ctx,
            )
        if not text or text.isdigit():
            self.fail(f"write the code as EPSG:{text}.", param, ctx)
        return text


class Host(Text):
    """An address to listen on: an IPv4/IPv6 literal or a hostname (RFC 1123)."""

    name = "host"

    def convert(self, value, param, ctx):
        import ipaddress
        import re

        text = super().convert(value, param, ctx)
        try:
            ipaddress.ip_address(text)
            return text
        except ValueError:
            pass
        label = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
        numeric = re.fullmatch(r"[0-9.]+", text)
        if numeric or not re.fullmatch(rf"{label}(\.{label})*", text):
            self.fail(f"{text!r} is neither an IP address nor a host name.", param, ctx)
        return text


class Day(click.ParamType):
    """A date written ``YYYY-MM-DD``."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD.", param, ctx)


class Amount(click.ParamType):
    """A finite, non-negative number of yuan (``12,000.50`` accepted)."""

    name = "yuan"

    def convert(self, value, param, ctx):
        text = str(value).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            self.fail(f"{value!r} is not a number of yuan.", param, ctx)
        if not math.isfinite(number) or number < 0 or number > 1e12:
            self.fail(f"{value!r} is not an amount of yuan (0 or more).", param, ctx)
        return text


class Uscc(click.ParamType):
    """A unified social credit code (GB 32100-2015, check characters tested)."""

    name = "credit code"

    def convert(self, value, param, ctx):
        from gridwatch.registry.uscc import explain_uscc, normalise_uscc

        code = normalise_uscc(str(value).strip())
        why = explain_uscc(code)
        if why:
            self.fail(f"{value!r} is not a credit code: {why}.", param, ctx)
        return code


class Month(click.ParamType):
    """A month written ``YYYY-MM``."""

    name = "month"

    def convert(self, value, param, ctx):
        import re

        text = str(value).strip()
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1900:
            self.fail(f"{value!r} is not a month; write it as YYYY-MM.", param, ctx)
        return text


DAY = Day()
USCC = Uscc()
MONTH = Month()
