"""Photo checks with Pillow: real type, size, decompression bombs, orientation, metadata.

:func:`clean_photo` turns the bytes of one upload into the bytes gridwatch stores,
or refuses them with one sentence:

* **Type by content, not by name.** Pillow opens the bytes restricted to JPEG,
  PNG and (with ``pillow-heif``) HEIF/HEIC; a text file renamed ``.jpg`` is
  refused. Without ``pillow-heif`` a HEIC file is recognised by its ``ftyp`` box
  and refused with the camera setting that avoids it ("most compatible").
* **Size.** At most ``max_bytes`` bytes, and at most ``max_pixels`` pixels read
  from the header *before* decoding: a 50 KB PNG can declare 50,000 x 50,000
  pixels and take gigabytes to decode (a decompression bomb). Pillow's own guard
  (``Image.MAX_IMAGE_PIXELS``, a process-wide global we leave alone) stays as a
  backstop; its warning is turned into a refusal here.
* **Orientation.** Phones store pictures sideways with an EXIF Orientation tag;
  :func:`PIL.ImageOps.exif_transpose` turns the pixels upright, because the tag
  is about to be stripped.
* **Metadata stripped.** EXIF, XMP and PNG text are dropped by re-encoding: EXIF
  carries the GPS position where the picture was taken (often not the site: a
  warden's home), the phone's serial number and owner name. Photos are shown to
  other users and exported; PIPL art. 28 counts whereabouts (行踪轨迹) as
  sensitive personal information. The check-in position the inspection needs is
  stored with the record, by consent, not smuggled in the photo. Only the
  capture time is kept (``taken_at``) and the ICC colour profile (no personal data;
  iPhones shoot Display P3).
* **Re-encoded** JPEG (quality 85; HEIC becomes JPEG) or PNG (screenshots stay
  lossless), scaled down to ``max_edge_px``; the SHA-256 of the stored bytes names
  the file, so two uploads of one picture are stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from gridwatch.errors import InvalidInputError

#: ISO-BMFF brands of HEIF/HEIC files (ISO/IEC 23008-12), checked at bytes 8-12.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_JPEG_QUALITY = 85  # visually lossless for photos of sites; about 1/3 of q95's size
_TAG_DATETIME, _TAG_EXIF_IFD = 0x0132, 0x8769
_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_ORIGINAL = 0x9003, 0x9011


@dataclass(frozen=True)
class PhotoLimits:
    """Settings ``photo_max_bytes``, ``photo_max_pixels``, ``photo_max_edge_px``."""

    max_bytes: int = 20_000_000
    max_pixels: int = 50_000_000
    max_edge_px: int = 2560


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo ready to store: ``data`` re-encoded without metadata.

    ``taken_at`` is the capture time from EXIF as naive UTC (the camera's local
    time taken as Asia/Shanghai unless EXIF gives its offset), or None.
    """

    data: bytes
    sha256: str
    content_type: str  # image/jpeg | image/png
    ext: str  # jpg | png
    width: int
    height: int
    original_name: str | None
    taken_at: dt.datetime | None


def _heif_available() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()  # idempotent
    return True


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _safe_name(filename: str | None) -> str | None:
    """The base name only (no client path), at most 200 characters."""
    if not filename:
        return None
    name = PurePath(str(filename).replace("\\", "/")).name.strip()
    return name[:200] or None


def _what_it_is(data: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return f"a {im.format} image"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "not an image"


def _open(data: bytes, name: str, limits: PhotoLimits):
    """Open restricted to the accepted formats, or refuse in one sentence."""
    from PIL import Image, UnidentifiedImageError

    formats = ["JPEG", "PNG"]
    if _is_heif(data):
        if not _heif_available():
            raise InvalidInputError(
                f"{name} is a HEIC photo, which this server cannot read; set the "
                "phone camera to 'Most Compatible' (设置 > 相机 > 格式 > 兼容性最佳) "
                "and take it again, or send a JPEG."
            )
        formats.append("HEIF")
    try:
        with warnings.catch_warnings():
            # over Pillow's warning size: the explicit pixel check that follows
            # refuses it with the real size, so the warning adds nothing
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError:
        raise _too_many_pixels(name, None, limits.max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidInputError(
            f"{name} is not a JPEG, PNG or HEIC photo (its content is "
            f"{_what_it_is(data)}); choose a photo taken with the camera."
        ) from None


def _too_many_pixels(name: str, size, limit: int) -> InvalidInputError:
    if size is None:  # Pillow refused at open: more than 2 x MAX_IMAGE_PIXELS
        from PIL import Image

        return InvalidInputError(
            f"{name} declares over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} million "
            f"pixels, far more than a photo has; photos may have at most "
            f"{limit / 1e6:.0f} million pixels."
        )
    w, h = size
    return InvalidInputError(
        f"{name} is {w}x{h} pixels ({w * h / 1e6:.0f} million); photos may have at "
        f"most {limit / 1e6:.0f} million pixels, so send a smaller copy."
    )


def _taken_at(exif) -> dt.datetime | None:
    """EXIF DateTimeOriginal (or DateTime) as naive UTC, or None."""
    from gridwatch.timeutil import LOCAL_TZ

    sub = exif.get_ifd(_TAG_EXIF_IFD)
    text = sub.get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME)
    try:
        stamp = dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    offset = str(sub.get(_TAG_OFFSET_ORIGINAL) or "").strip("\x00 ")
    try:
        tz = dt.datetime.strptime(offset, "%z").tzinfo if offset else LOCAL_TZ
    except ValueError:
        tz = LOCAL_TZ
    return stamp.replace(tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)


def _decode(im, name: str, limits: PhotoLimits):
    """Decode (JPEG scaled in the DCT where possible) and orient upright."""
    from PIL import Image, ImageOps

    if im.format == "JPEG":  # decode at >= the target size: much faster, same result
        im.draft("RGB", (limits.max_edge_px, limits.max_edge_px))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(name, im.size, limits.max_pixels) from None
    except (OSError, ValueError, EOFError, SyntaxError):
        raise InvalidInputError(
            f"{name} is damaged or incomplete (it could not be decoded); send it again."
        ) from None
    return ImageOps.exif_transpose(im)


def _encode(im, keep_png: bool, icc: bytes | None) -> tuple[bytes, str, str]:
    """Re-encode without any metadata but the ICC profile (and PNG transparency,
    which is pixels, not metadata)."""
    out = io.BytesIO()
    params = {"icc_profile": icc} if icc else {}
    if keep_png and im.info.get("transparency") is not None:
        params["transparency"] = im.info["transparency"]
    im.info = {}  # nothing carried over from the source (EXIF, XMP, text chunks)
    if keep_png:
        if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            im = im.convert("RGBA")
        im.save(out, "PNG", **params)
        return out.getvalue(), "image/png", "png"
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    im.save(out, "JPEG", quality=_JPEG_QUALITY, **params)
    return out.getvalue(), "image/jpeg", "jpg"


def clean_photo(
    data: bytes, filename: str | None, limits: PhotoLimits = PhotoLimits()
) -> CleanPhoto:
    """Check one uploaded photo and return what to store (rules in the module doc).

    Parameters
    ----------
    data : bytes
        The upload's bytes, as received.
    filename : str or None
        The name the browser sent (shown in messages; never trusted for the type).
    limits : PhotoLimits
        From the settings.

    Returns
    -------
    CleanPhoto

    Raises
    ------
    InvalidInputError
        One sentence: empty, too large (bytes or pixels), not a JPEG/PNG/HEIC by
        content, HEIC without ``pillow-heif``, or damaged.
    """
    name = _safe_name(filename) or "The photo"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InvalidInputError(f"{name} is empty; choose the photo again.")
    if len(data) > limits.max_bytes:
        raise InvalidInputError(
            f"{name} is {len(data) / 1e6:.1f} MB; photos may be at most "
            f"{limits.max_bytes / 1e6:g} MB, so send a smaller copy."
        )
    with _open(data, name, limits) as im:
        w, h = im.size
        if w * h > limits.max_pixels:
            raise _too_many_pixels(name, im.size, limits.max_pixels)
        keep_png = im.format == "PNG"
        icc = im.info.get("icc_profile")
        taken_at = _taken_at(im.getexif())
        upright = _decode(im, name, limits)
        upright.thumbnail((limits.max_edge_px, limits.max_edge_px))
        blob, content_type, ext = _encode(upright, keep_png, icc)
    return CleanPhoto(
        data=blob,
        sha256=hashlib.sha256(blob).hexdigest(),
        content_type=content_type,
        ext=ext,
        width=upright.width,
        height=upright.height,
        original_name=_safe_name(filename),
        taken_at=taken_at,
    )
