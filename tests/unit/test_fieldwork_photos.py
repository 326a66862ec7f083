"""Photo checks: real type by content, size and pixel limits, orientation, metadata."""

import datetime as dt
import io

import pytest
from PIL import Image

from gridwatch.errors import InvalidInputError
from gridwatch.fieldwork.photos import PhotoLimits, clean_photo

_GPS_IFD, _EXIF_IFD, _ORIENTATION = 0x8825, 0x8769, 0x0112


def _one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message


def _exif(orientation=6):
    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    exif[0x010F] = "Apple"  # Make
    exif[0xA431] = "SERIAL-123"  # BodySerialNumber lives in the Exif IFD really
    gps = exif.get_ifd(_GPS_IFD)
    gps[1], gps[2] = "N", (23.0, 1.0, 2.0)
    gps[3], gps[4] = "E", (113.0, 3.0, 4.0)
    sub = exif.get_ifd(_EXIF_IFD)
    sub[0x9003] = "2026:03:02 10:30:00"  # DateTimeOriginal, camera local time
    return exif


def _jpeg(size=(400, 200), exif=None) -> bytes:
    # left half red, right half blue, so the rotation can be checked
    im = Image.new("RGB", size, (220, 20, 20))
    im.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, **({"exif": exif} if exif else {}))
    return buf.getvalue()


def _png(size=(300, 200), mode="RGBA") -> bytes:
    buf = io.BytesIO()
    im = Image.new(mode, size, (0, 200, 0, 128) if mode == "RGBA" else 0)
    im.save(buf, "PNG", pnginfo=_text_chunk())
    return buf.getvalue()


def _text_chunk():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "张三 13800000000")
    return info


def test_clean_photo_applies_orientation_and_strips_exif():
    c = clean_photo(_jpeg(exif=_exif(6)), "IMG_0001.JPG")
    assert (c.width, c.height) == (200, 400)  # turned upright
    out = Image.open(io.BytesIO(c.data))
    assert out.format == "JPEG" and c.content_type == "image/jpeg"
    assert dict(out.getexif()) == {}  # no GPS, no make, no serial, no orientation
    assert b"Exif" not in c.data[:4096]
    # orientation 6 = rotate 90 clockwise: the red left half is now on top
    assert out.getpixel((100, 50))[0] > 150 and out.getpixel((100, 350))[2] > 150
    # the capture time survives as UTC (10:30 in Foshan = 02:30 UTC)
    assert c.taken_at == dt.datetime(2026, 3, 2, 2, 30)


def test_clean_photo_same_picture_same_hash():
    data = _jpeg(exif=_exif(1))
    assert clean_photo(data, "a.jpg").sha256 == clean_photo(data, "b.jpg").sha256
    assert (
        clean_photo(_jpeg(size=(401, 200)), "c.jpg").sha256
        != clean_photo(data, "a.jpg").sha256
    )


def test_clean_photo_png_stays_png_without_text_chunks():
    c = clean_photo(_png(), "screen.png")
    out = Image.open(io.BytesIO(c.data))
    assert c.content_type == "image/png" and out.format == "PNG" and out.mode == "RGBA"
    assert "Author" not in out.info and "张三".encode() not in c.data


def test_clean_photo_scales_down_to_the_longest_edge():
    c = clean_photo(_jpeg(size=(4000, 3000)), "big.jpg", PhotoLimits(max_edge_px=1000))
    assert max(c.width, c.height) == 1000 and c.width == 1000


def test_clean_photo_converts_heic_to_jpeg():
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    im = Image.new("RGB", (320, 240), (10, 150, 10))
    pillow_heif.from_pillow(im).save(buf, quality=80, exif=_exif(1).tobytes())
    c = clean_photo(buf.getvalue(), "IMG_0002.HEIC")
    assert c.content_type == "image/jpeg" and (c.width, c.height) == (320, 240)
    assert dict(Image.open(io.BytesIO(c.data)).getexif()) == {}


def test_clean_photo_refuses_heic_without_pillow_heif(monkeypatch):
    from gridwatch.fieldwork import photos

    monkeypatch.setattr(photos, "_heif_available", lambda: False)
    fake = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(fake, "IMG_0003.HEIC")
    assert "Most Compatible" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


@pytest.mark.parametrize(
    "data, name, words",
    [
        (b"hello, this is a text file", "notes.jpg", "its content is not an image"),
        (b"", "empty.jpg", "is empty"),
    ],
)
def test_clean_photo_refuses_non_images(data, name, words):
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(data, name)
    assert name in exc.value.user_msg and words in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_refuses_other_image_types_by_content():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(buf.getvalue(), "renamed.png")
    assert "a GIF image" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_refuses_oversized_bytes():
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(_jpeg(), "x.jpg", PhotoLimits(max_bytes=1_000))
    assert "at most 0.001 MB" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_refuses_too_many_pixels_before_decoding():
    # 9000 x 9000 = 81 million pixels in a tiny PNG (below Pillow's own guard)
    data = _png(size=(9000, 9000), mode="1")
    assert len(data) < 200_000
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(data, "bomb.png")
    assert "9000x9000" in exc.value.user_msg and "50 million" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_refuses_a_decompression_bomb_past_pillows_guard():
    data = _png(size=(20000, 20000), mode="1")
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(data, "bomb2.png", PhotoLimits(max_pixels=10**12))
    assert "far more than a photo has" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_refuses_a_truncated_jpeg():
    data = _jpeg()
    with pytest.raises(InvalidInputError) as exc:
        clean_photo(data[: len(data) // 2], "half.jpg")
    assert "damaged or incomplete" in exc.value.user_msg
    assert _one_sentence(exc.value.user_msg)


def test_clean_photo_keeps_only_the_base_name():
    c = clean_photo(_jpeg(), "C:\\Users\\张三\\Pictures\\现场.jpg")
    assert c.original_name == "现场.jpg"
