"""Text in shapefile DBFs: pick one encoding per file, decode once, report damage.

Chinese boundary shapefiles are usually GBK with no ``.cpg``, sometimes with a
``.cpg`` that says UTF-8 although the bytes are GBK (the exporting tool wrote the
sidecar, not the text), and sometimes with a name cut in half: a DBF character
field has a fixed byte width, and old tools truncate at the byte, not at the
character, leaving the first byte of a two-byte GBK character at the end.

GDAL decodes a whole file with one codec and either turns every name into
Latin-1 mojibake (no ``.cpg``: ``石湾镇`` → ``Ê¯ÍåÕò``), raises deep inside pyogrio
(``.cpg`` UTF-8 over GBK), or drops the broken byte silently. So the reader asks
GDAL for the raw bytes (Latin-1 maps each byte to one code point and back) and
:func:`decode_values` decides here, where it can say what it did:

1. the declared codec (``.cpg``, else the DBF language-driver byte), then UTF-8,
   then GB18030 (a superset of GBK and GB2312);
2. the first codec under which every value decodes wins; a value whose only
   fault is an incomplete character at its very end (a truncated field) decodes
   with that half character dropped, and its index is reported;
3. if no codec decodes every value, :class:`InvalidInputError` names the file,
   the value and its bytes.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridwatch.errors import InvalidInputError

#: DBF language-driver ids (header byte 29) that name a Chinese code page: 0x4D is
#: "Chinese GBK (PRC)" (code page 936) and 0x7A "PRC GBK" in ESRI's table.
CHINESE_LDIDS = frozenset({0x4D, 0x7A})
#: ``.cpg`` spellings seen in the wild → Python codec; GBK and GB2312 are read as
#: GB18030, their superset.
_CPG_ALIASES = {
    "UTF8": "utf-8",
    "65001": "utf-8",
    "GBK": "gb18030",
    "GB2312": "gb18030",
    "936": "gb18030",
    "CP936": "gb18030",
    "GB18030": "gb18030",
    "54936": "gb18030",
    "88591": "latin-1",
    "ISO88591": "latin-1",
    "LATIN1": "latin-1",
    "28591": "latin-1",
    "1252": "cp1252",
    "CP1252": "cp1252",
    "WINDOWS1252": "cp1252",
}
#: Decoder reasons that mean "the value ended inside a character".
_TRUNCATED = ("incomplete multibyte sequence", "unexpected end of data")
_LABELS = {"utf-8": "UTF-8", "gb18030": "GB18030 (GBK)", "latin-1": "Latin-1",
           "cp1252": "Windows-1252"}


def codec_of_cpg(text: str) -> str | None:
    """Python codec named by a ``.cpg`` sidecar's text, or None if unknown.

    >>> codec_of_cpg("UTF-8\\n"), codec_of_cpg("936"), codec_of_cpg("klingon")
    ('utf-8', 'gb18030', None)
    """
    key = text.strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    if key in _CPG_ALIASES:
        return _CPG_ALIASES[key]
    try:
        return codecs.lookup(text.strip()).name
    except (LookupError, ValueError):
        return None


def codec_of_ldid(dbf_header: bytes) -> str | None:
    """GB18030 when the DBF's language-driver byte names a Chinese code page."""
    if len(dbf_header) > 29 and dbf_header[29] in CHINESE_LDIDS:
        return "gb18030"
    return None


@dataclass
class DecodedText:
    """Decoded values, the codec used and the values that lost a half character."""

    values: list[str | None]
    codec: str | None
    truncated: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Human name of the codec (``GB18030 (GBK)``)."""
        return _LABELS.get(self.codec or "", self.codec or "ASCII")


def _decode_one(raw: bytes, codec: str) -> tuple[str, bool] | None:
    """(text, was_truncated) or None when ``raw`` is not ``codec``."""
    try:
        return raw.decode(codec), False
    except UnicodeDecodeError as exc:
        if exc.end != len(raw) or exc.reason not in _TRUNCATED:
            return None
        try:
            return raw[: exc.start].decode(codec), True
        except UnicodeDecodeError:
            return None


def _decode_all(raw, codec: str) -> DecodedText | bytes:
    """Every value decoded with ``codec``, or the first value it cannot decode."""
    out: list[str | None] = []
    cut: list[int] = []
    for i, value in enumerate(raw):
        if value is None:
            out.append(None)
            continue
        hit = _decode_one(value, codec)
        if hit is None:
            return value
        out.append(hit[0])
        if hit[1]:
            cut.append(i)
    return DecodedText(out, codec, cut)


def _looks_foreign(values) -> bool:
    """Any character in U+0080-U+07FF (Latin-1 supplement to Arabic)."""
    return any("\u0080" <= ch <= "\u07ff" for v in values if v for ch in v)


def decode_values(raw: Sequence[bytes | None], declared: str | None = None,
                  source: str = "the file") -> DecodedText:
    """Decode the raw text values of one DBF with one codec.

    Parameters
    ----------
    raw : sequence of bytes or None
        Every text value of the file (None for nulls), in any order.
    declared : str, optional
        Codec named by the ``.cpg`` or the language-driver byte; tried first.
    source : str
        File name for the error message.

    Returns
    -------
    DecodedText
        ``values`` in input order; ``codec`` None when everything is ASCII;
        ``truncated`` the indices whose last, incomplete character was dropped.

    Raises
    ------
    InvalidInputError
        No codec among the declared one, UTF-8 and GB18030 decodes every value.

    Examples
    --------
    >>> cut = "石湾镇街道".encode("gbk")[:-1]
    >>> d = decode_values([cut, "张槎".encode("gbk")], declared="utf-8")
    >>> d.values, d.codec, d.truncated
    (['石湾镇街', '张槎'], 'gb18030', [0])
    """
    if all(v is None or v.isascii() for v in raw):
        return DecodedText([None if v is None else v.decode("ascii") for v in raw],
                           None)
    tried = [declared] if declared else []
    tried += [c for c in ("utf-8", "gb18030") if c not in tried]
    first_bad = None
    for codec in tried:
        got = _decode_all(raw, codec)
        if isinstance(got, bytes):
            first_bad = first_bad or got
            continue
        if codec == "utf-8" and _looks_foreign(got.values):
            # two GBK bytes can be valid UTF-8 by chance (e.g. C2-DF + A1-BF), giving
            # Latin/Greek/Cyrillic letters no Chinese boundary name has; a .cpg
            # that says UTF-8 over GBK bytes is common (issue 15), so this holds
            # when UTF-8 is declared too (一 = D2 BB reads as Cyrillic һ)
            other = _decode_all(raw, "gb18030")
            if isinstance(other, DecodedText) and not _looks_foreign(other.values):
                return other
        return got
    raise InvalidInputError(
        f"The text in {source} is neither UTF-8 nor GBK/GB18030 (e.g. the bytes "
        f"{first_bad[:16].hex(' ')}); save the attribute table as UTF-8 or GBK and "
        "import it again.",
        details={"file": source, "tried": tried},
    )
