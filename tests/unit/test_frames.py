"""gridwatch.frames: the one set of input checks (raise vs convert, by name)."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from gridwatch.errors import CRSMismatchError, InvalidInputError
from gridwatch.frames import (
    is_wgs84,
    reproject_to_wgs84,
    require_columns,
    require_geoframe,
    require_wgs84,
)


def _pts(crs):
    return gpd.GeoDataFrame({"a": [1]}, geometry=[Point(113.1, 23.0)], crs=crs)


def test_require_wgs84_raises_on_other_or_missing_crs_and_never_converts():
    wgs = _pts(4326)
    assert require_wgs84(wgs, "pts") is None
    require_wgs84(_pts("OGC:CRS84"), "pts")  # lng-first twin of EPSG:4326
    require_wgs84(wgs.geometry, "a series")
    with pytest.raises(CRSMismatchError, match=r"pts must be in WGS-84.*EPSG:4547"):
        require_wgs84(wgs.to_crs(4547), "pts")
    with pytest.raises(CRSMismatchError, match="no CRS; pass the stored"):
        require_wgs84(_pts(None), "pts", "pass the stored geometries")


def test_reproject_to_wgs84_converts_explicitly():
    wgs = _pts(4326)
    assert reproject_to_wgs84(wgs, "pts") is wgs  # no copy when nothing to do
    back = reproject_to_wgs84(wgs.to_crs(4547), "pts")
    assert is_wgs84(back.crs)
    assert back.geometry.iloc[0].distance(Point(113.1, 23.0)) < 1e-9
    assert reproject_to_wgs84(None, "optional layer") is None
    with pytest.raises(CRSMismatchError, match="pts has no CRS"):
        reproject_to_wgs84(_pts(None), "pts")


def test_column_checks_name_the_wrong_type_and_missing_columns():
    with pytest.raises(TypeError, match="frame must be a DataFrame, got list"):
        require_columns([], ["a"], "frame")
    with pytest.raises(InvalidInputError, match="lacks required column.*: b"):
        require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "frame")
    with pytest.raises(TypeError, match="GeoDataFrame"):
        require_geoframe(pd.DataFrame({"a": [1]}), ["a"], "frame")
    with pytest.raises(CRSMismatchError, match="no CRS"):
        require_geoframe(_pts(None), ["a"], "frame")
    require_geoframe(_pts(4326), ["a", "geometry"], "frame")
