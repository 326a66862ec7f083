"""Photos: stored once by content hash, real types only, served only within scope."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from gridwatch.db.models import Photo
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.inspections import record_inspection, report_hazard
from gridwatch.services.photos import MAX_PHOTOS, Upload, add_photos, read_photo
from gridwatch.services.warden import my_grids
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.warden_helpers import (
    jpeg_bytes,
    office,
    one_sentence,
    png_bytes,
    staffed,
    warden,
)


@pytest.fixture
def district(small_district):
    return staffed(small_district)


def _eid(ctx, w) -> int:
    return int(my_grids(ctx, w).enterprises["id"].min())


def _inspect(ctx, w, photos=()):
    return record_inspection(
        ctx,
        w,
        _eid(ctx, w),
        inspected_on=today(),
        kind="inspection",
        result="pass",
        photos=photos,
    )


def _files(ctx) -> list:
    root = ctx.settings.data_path / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Photo)).scalar()


def test_a_real_jpeg_is_stored_once_for_two_uploads(district):
    w = warden(district)
    data = jpeg_bytes()
    first = _inspect(district, w, [Upload("IMG_1.jpg", data)])
    second = _inspect(district, w, [Upload("IMG_1 (copy).jpg", data)])
    assert len(first["photo_ids"]) == len(second["photo_ids"]) == 1
    assert len(_files(district)) == 1 and _rows(district) == 2
    a = read_photo(district, w, first["photo_ids"][0])
    b = read_photo(district, w, second["photo_ids"][0])
    assert a.path == b.path and a.content_type == "image/jpeg"
    assert Image.open(a.path).format == "JPEG"
    # the file's name is the SHA-256 of its content
    import hashlib

    assert hashlib.sha256(a.path.read_bytes()).hexdigest() == a.sha256 == a.path.stem


def test_the_same_photo_twice_in_one_record_is_attached_once(district):
    w = warden(district)
    data = jpeg_bytes()
    r = _inspect(district, w, [Upload("a.jpg", data), Upload("b.jpg", data)])
    assert len(r["photo_ids"]) == 1


def test_a_png_is_accepted_and_listed_in_the_file(district):
    w = warden(district)
    r = _inspect(district, w, [Upload("screen.png", png_bytes())])
    f = read_photo(district, w, r["photo_ids"][0])
    assert f.content_type == "image/png" and f.path.suffix == ".png"
    photos = enterprise_file(district, w, r["enterprise_id"])["inspections"][0][
        "photos"
    ]
    assert [p["id"] for p in photos] == r["photo_ids"]
    assert photos[0]["original_name"] == "screen.png"


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(district):
    w = warden(district)
    eid = _eid(district, w)
    with pytest.raises(InvalidInputError) as exc:
        _inspect(district, w, [Upload("ok.jpg", jpeg_bytes()), Upload("x.jpg", b"hi")])
    assert "x.jpg is not a JPEG, PNG or HEIC photo" in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    assert _files(district) == [] and _rows(district) == 0
    assert enterprise_file(district, w, eid)["n_inspections"] == 0


def test_an_oversized_photo_is_refused(district):
    district.settings = district.settings.replace(photo_max_bytes=2_000)
    with pytest.raises(InvalidInputError) as exc:
        _inspect(district, warden(district), [Upload("big.jpg", jpeg_bytes())])
    assert "big.jpg is" in exc.value.user_msg and "at most" in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)


def test_a_decompression_bomb_is_refused(district):
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 Mpx in a few kB
    with pytest.raises(InvalidInputError) as exc:
        _inspect(district, warden(district), [Upload("bomb.png", buf.getvalue())])
    assert "bomb.png" in exc.value.user_msg and "million" in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    assert _files(district) == []


def test_more_than_six_photos_are_refused(district):
    w = warden(district)
    ups = [
        Upload(f"{i}.jpg", jpeg_bytes(color=(30 * i, 200 - 20 * i, 90)))
        for i in range(MAX_PHOTOS + 1)
    ]
    with pytest.raises(InvalidInputError) as exc:
        _inspect(district, w, ups)
    assert f"at most {MAX_PHOTOS} photos" in exc.value.user_msg
    r = _inspect(district, w, ups[:5])
    add_photos(district, w, [ups[5]], inspection_id=r["id"])
    with pytest.raises(InvalidInputError):
        add_photos(district, w, [ups[6]], inspection_id=r["id"])


def test_hazard_photos(district):
    w = warden(district)
    insp = _inspect(district, w)
    h = report_hazard(
        district,
        w,
        insp["id"],
        level="ordinary",
        category="electrical",
        description="私拉乱接电线",
        photos=[Upload("wire.jpg", jpeg_bytes())],
    )
    assert len(h["photo_ids"]) == 1
    hz = enterprise_file(district, w, insp["enterprise_id"])["hazards"][0]
    assert [p["id"] for p in hz["photos"]] == h["photo_ids"]


def test_an_out_of_scope_photo_is_not_found(district):
    w0, w1 = warden(district, "zc_warden_000"), warden(district, "zc_warden_001")
    r = _inspect(district, w1, [Upload("theirs.jpg", jpeg_bytes())])
    pid = r["photo_ids"][0]
    assert read_photo(district, w1, pid).path.exists()
    assert read_photo(district, office(), pid).path.exists()  # same street
    assert read_photo(district, Actor("bureau1", "bureau"), pid).path.exists()
    with pytest.raises(NotFoundError):
        read_photo(district, w0, pid)
    with pytest.raises(NotFoundError):
        read_photo(district, office("440604003"), pid)
    with pytest.raises(NotFoundError):
        read_photo(district, SYSTEM, pid + 1000)
    with pytest.raises(NotFoundError):
        add_photos(district, w0, [Upload("x.jpg", jpeg_bytes())], inspection_id=r["id"])
