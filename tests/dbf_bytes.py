"""Build shapefiles whose DBF text is damaged the way real exports damage it.

pyogrio writes a clean GBK shapefile; :func:`narrow_text_field` then rewrites one
character field to a byte width that cuts a two-byte GBK character in half, as
old GIS exporters truncate at the byte rather than at the character.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box


def narrow_text_field(dbf: bytes, field: str, width: int) -> bytes:
    """The DBF with character field ``field`` cut to ``width`` bytes per record."""
    n_rec = int.from_bytes(dbf[4:8], "little")
    header_len = int.from_bytes(dbf[8:10], "little")
    rec_len = int.from_bytes(dbf[10:12], "little")
    fields, pos = [], 32
    while dbf[pos] != 0x0D:
        desc = bytearray(dbf[pos: pos + 32])
        name = bytes(desc[:11]).split(b"\0")[0].decode("ascii")
        fields.append((name, desc))
        pos += 32
    old_widths = [d[16] for _, d in fields]
    new_widths = [width if n == field else w for (n, _), w in zip(fields, old_widths)]
    for (_, desc), w in zip(fields, new_widths):
        desc[16] = w
    new_rec_len = 1 + sum(new_widths)
    head = bytearray(dbf[:32])
    head[10:12] = new_rec_len.to_bytes(2, "little")
    out = head + b"".join(bytes(d) for _, d in fields) + dbf[pos:header_len]
    for r in range(n_rec):
        rec = dbf[header_len + r * rec_len: header_len + (r + 1) * rec_len]
        parts, off = [rec[:1]], 1
        for w_old, w_new in zip(old_widths, new_widths):
            parts.append(rec[off: off + w_old][:w_new])
            off += w_old
        out += b"".join(parts)
    return bytes(out + b"\x1a")


def gbk_shapefile(folder: Path, names: list[str], codes: list[str], *,
                  name_width: int | None = None, cpg: str | None = None) -> Path:
    """A WGS-84 shapefile of boxes near Zhangcha with GBK ``NAME`` text.

    ``name_width`` narrows the NAME field (cutting characters in half); ``cpg``
    writes a ``.cpg`` saying that (whatever the bytes are); the language-driver
    byte is cleared, as in many real files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    geoms = [box(113.08 + 0.01 * i, 23.04, 113.09 + 0.01 * i, 23.05)
             for i in range(len(names))]
    shp = folder / "towns.shp"
    gpd.GeoDataFrame({"CODE": codes, "NAME": names}, geometry=geoms,
                     crs="EPSG:4326").to_file(shp, engine="pyogrio", encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0
    data = bytes(data)
    if name_width is not None:
        data = narrow_text_field(data, "NAME", name_width)
    dbf.write_bytes(data)
    if cpg is not None:
        shp.with_suffix(".cpg").write_text(cpg)
    return shp
