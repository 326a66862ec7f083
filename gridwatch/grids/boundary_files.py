"""Open a boundary file (GeoJSON, Shapefile, zipped Shapefile, GeoPackage) as read.

Everything a library can raise while reading a user's file becomes one
:class:`InvalidInputError` sentence naming the file: a missing layer, a file GDAL
cannot open, text in no known encoding (see :mod:`gridwatch.grids.dbftext`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gridwatch.errors import InvalidInputError
from gridwatch.grids.dbftext import codec_of_cpg, codec_of_ldid, decode_values

SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".zip")


@dataclass
class Target:
    """What to hand pyogrio, and what is known of a shapefile's text encoding."""

    path: str
    is_dbf: bool = False
    declared: str | None = None  # codec named by the .cpg or language driver
    declared_by: str = ""
    notes: list[str] = field(default_factory=list)


def _fail(msg: str, **details):
    raise InvalidInputError(msg, details=details)


def _shp_sidecars(names: list[str], stem: str, read) -> tuple[str | None, str]:
    """(declared codec, by what) from the ``.cpg`` or the DBF's language byte."""
    lower = {n.lower(): n for n in names}
    cpg = lower.get(f"{stem.lower()}.cpg")
    if cpg is not None:
        text = read(cpg).decode("ascii", "replace")
        return codec_of_cpg(text), f"its .cpg ({text.strip()})"
    dbf = lower.get(f"{stem.lower()}.dbf")
    if dbf is not None:
        return codec_of_ldid(read(dbf)[:32]), "its language-driver byte"
    return None, ""


def open_target(path: Path) -> Target:
    """The pyogrio path of ``path`` and, for a shapefile, its declared encoding."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            _fail(f"{path.name} is not a readable zip archive; zip the boundary file "
                  "again.", file=str(path))
        with zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            inner = [n for n in names if Path(n).suffix.lower() in SUFFIXES[:4]]
            if not inner:
                _fail(f"The archive {path.name} holds no .shp, .geojson or .gpkg file; "
                      "zip the boundary file itself.", file=str(path))
            target = min(inner, key=lambda n: (not n.lower().endswith(".shp"), n))
            out = Target(f"/vsizip/{path.resolve()}/{target}")
            if target.lower().endswith(".shp"):
                out.is_dbf = True
                out.declared, out.declared_by = _shp_sidecars(
                    names, target[:-4], zf.read)
        return out
    if suffix == ".shp":
        names = [p.name for p in path.parent.glob(path.stem + ".*")]
        declared, by = _shp_sidecars(names, path.stem,
                                     lambda n: (path.parent / n).read_bytes())
        return Target(str(path), True, declared, by)
    return Target(str(path))


def _pick_layer(target: Target, path: Path, layer: str | None) -> str | None:
    try:
        layers = pyogrio.list_layers(target.path)
    except pyogrio.errors.DataSourceError as exc:
        _fail(f"Cannot read {path.name} as GeoJSON, Shapefile or GeoPackage ({exc}); "
              "check the file.", file=str(path))
    names = [str(n) for n, _ in layers]
    if layer is not None:
        if layer not in names:
            _fail(f"{path.name} has no layer {layer!r}; its layers are "
                  f"{', '.join(names) or 'none'}.", file=str(path), layers=names)
        return layer
    if path.suffix.lower() != ".gpkg":
        return None
    poly = [n for n, t in layers if t and "POLYGON" in str(t).upper()]
    if not poly and not names:
        _fail(f"{path.name} holds no layers; export the boundaries again.",
              file=str(path))
    return str(poly[0]) if poly else names[0]


def _decode_dbf(frame: gpd.GeoDataFrame, target: Target, path: Path):
    """Decode a shapefile's text columns (read as raw Latin-1) with one codec."""
    geom = frame.geometry.name
    cols = [c for c in frame.columns if c != geom]
    text_cols = [c for c in cols
                 if any(isinstance(v, str) for v in frame[c].tolist())]
    raw: list[bytes | None] = [str(c).encode("latin-1") for c in cols]
    for c in text_cols:
        raw += [v.encode("latin-1") if isinstance(v, str) else None
                for v in frame[c]]
    decoded = decode_values(raw, target.declared, path.name)
    names = decoded.values[: len(cols)]
    out = frame.copy()
    pos = len(cols)
    for c in text_cols:
        out[c] = pd.Series(decoded.values[pos: pos + len(out)], index=out.index,
                           dtype=object)
        pos += len(out)
    out = out.rename(columns=dict(zip(cols, names)))
    if decoded.codec and decoded.codec != target.declared:
        said = (f"; {target.declared_by} says {target.declared}"
                if target.declared else "")
        target.notes.append(f"text decoded as {decoded.label}{said}")
    if decoded.truncated:
        shown = []
        for i in decoded.truncated[:5]:
            if i < len(cols):
                shown.append(f"field name {decoded.values[i]!r}")
                continue
            j = i - len(cols)
            col, row = names[cols.index(text_cols[j // len(out)])], j % len(out)
            shown.append(f"{col} row {row + 1} {decoded.values[i]!r}")
        target.notes.append(
            f"{len(decoded.truncated)} value(s) ended in half a character (the "
            "field is too narrow for the text); the broken half was dropped: "
            + "; ".join(shown))
    return out


def read_file(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The features of ``path`` as pyogrio reads them (file CRS), and notes.

    Raises
    ------
    InvalidInputError
        Unreadable file, unknown layer, undecodable text.
    """
    target = open_target(path)
    layer = _pick_layer(target, path, layer)
    try:
        frame = pyogrio.read_dataframe(
            target.path, layer=layer, encoding="ISO-8859-1" if target.is_dbf else None,
            force_2d=True, on_invalid="ignore")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        _fail(f"Cannot read {path.name} as GeoJSON, Shapefile or GeoPackage ({exc}); "
              "check the file.", file=str(path))
    except UnicodeDecodeError as exc:
        _fail(f"The text in {path.name} is not in the encoding the file declares "
              f"({exc.encoding}); save it as UTF-8 and import it again.",
              file=str(path))
    if target.is_dbf:
        frame = _decode_dbf(frame, target, path)
    return frame, target.notes
