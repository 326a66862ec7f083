"""A real bureau's registry (issue 13): GB/T 4754 sectors, contacts, every other
column kept, town/community hints, totals rows, value maps, contradictions."""

import csv

import pytest

from gridwatch.registry import (
    ImportSummary,
    RowRules,
    UnitResolver,
    make_uscc,
    read_registry,
    validate_row,
    validate_rows,
    write_registry,
)
from gridwatch.registry.cells import totals_word
from gridwatch.registry.industry import industries, match_industry, sector_map
from gridwatch.registry.units import normalise_unit_name
from gridwatch.vocab import SECTORS, VOCABULARIES


def code(n):
    return make_uscc(f"{n:08d}")


def row(**kw):
    base = {"uscc": code(1), "name": "佛山市某陶瓷有限公司", "address": "张槎路1号"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


# --- GB/T 4754-2017 ---------------------------------------------------------------


def test_industry_table_has_every_section_and_division():
    table = industries()
    sections = [c for c, i in table.items() if i.level == "section"]
    divisions = [c for c, i in table.items() if i.level == "division"]
    assert sections == list("ABCDEFGHIJKLMNOPQRST") and len(divisions) == 97
    assert table["30"].name == "非金属矿物制品业" and table["30"].section == "C"
    assert table["59"].section == "G" and table["97"].section == "T"


def test_every_industry_code_maps_to_a_supervision_sector():
    assert set(sector_map().values()) <= set(SECTORS)
    for code_ in industries():
        assert match_industry(code_).sector in SECTORS


@pytest.mark.parametrize(
    ("cell", "code_", "sector"),
    [
        ("非金属矿物制品业", "30", "building_materials"),
        ("30", "30", "building_materials"),
        ("C30", "30", "building_materials"),
        ("C30 非金属矿物制品业", "30", "building_materials"),
        ("30-非金属矿物制品业", "30", "building_materials"),
        ("非金属矿物制品业(30)", "30", "building_materials"),
        ("非金属矿物制品业（C30）", "30", "building_materials"),
        ("307", "307", "ceramics"),
        ("C3071 建筑陶瓷制品制造", "3071", "ceramics"),
        ("卫生陶瓷制品制造", "3072", "sanitary_ware"),
        ("3099", "3099", "building_materials"),  # a class by its division
        ("家具制造业", "21", "furniture"),
        ("化学原料和化学制品制造业", "26", "hazchem"),
        ("化学原料及化学制品制造业", "26", "hazchem"),  # the 2002 spelling
        ("石油加工、炼焦和核燃料加工业", "25", "hazchem"),  # the 2011 name
        ("焰火、鞭炮产品制造", "2672", "fireworks"),
        ("装卸搬运和仓储业", "59", "warehouse"),
        ("危险化学品仓储", "5942", "hazchem"),
        ("餐饮业", "62", "hospitality"),
        ("H", "H", "hospitality"),
        ("C", "C", "other"),
        (30, "30", "building_materials"),
        (4, "04", "other"),  # a number lost its leading 0
    ],
)
def test_match_industry_forms(cell, code_, sector):
    m = match_industry(cell)
    assert (m.code, m.sector) == (code_, sector)


@pytest.mark.parametrize("cell", ["99", "1", "12345", "D30", "30 家具制造业"])
def test_match_industry_refuses_impossible_codes(cell):
    with pytest.raises(ValueError):
        match_industry(cell)


@pytest.mark.parametrize("cell", ["航天发射", "T恤加工", "陶瓷"])
def test_match_industry_none_for_other_text(cell):
    assert match_industry(cell) is None


def test_sector_cell_accepts_gbt4754_and_keeps_its_code():
    rec, rej = validate_row(2, row(sector="非金属矿物制品业"))
    assert rej == [] and (rec["sector"], rec["industry_code"]) == (
        "building_materials",
        "30",
    )


def test_industry_code_column_gives_the_sector_when_the_sector_is_empty():
    rec, _ = validate_row(2, row(industry_code="C3072"))
    assert (rec["sector"], rec["industry_code"]) == ("sanitary_ware", "3072")


def test_section_letter_is_accepted_with_a_note():
    summary = ImportSummary()
    list(validate_rows([(2, row(sector="C"))], summary))
    assert summary.valid == 1 and "section" in summary.notes[0].reason


def test_value_map_rescues_a_local_spelling():
    rules = RowRules(value_map={"sector": {"瓷片厂": "陶瓷"}})
    rec, rej = validate_row(2, row(sector=" 瓷片厂 "), rules=rules)
    assert rej == [] and rec["sector"] == "ceramics"


def test_unknown_sector_names_the_way_out():
    _, rej = validate_row(2, row(sector="航天发射"))
    assert "GB/T 4754" in rej[0].reason and "map" in rej[0].reason


# --- contradictions, datums -----------------------------------------------------------


def test_hazchem_sector_with_hazchem_no_is_stored_with_a_note():
    summary = ImportSummary()
    out = list(
        validate_rows([(2, row(sector="危险化学品", has_hazchem="否"))], summary)
    )
    assert out[0][1]["sector"] == "hazchem" and out[0][1]["has_hazchem"] is False
    assert (
        summary.notes[0].field == "has_hazchem"
        and "危险化学品" in summary.notes[0].reason
    )


def test_coordinates_without_datum_carry_the_datum_hint():
    summary = ImportSummary()
    list(validate_rows([(2, row(lng=113.02, lat=23.01))], summary))
    assert summary.rejects[0].hint == "datum" and summary.hints == ["datum"]


# --- totals rows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"uscc": "合计", "employees": 350},
        {"name": "合计", "employees": 350},
        {"name": "总计：", "employees": 350},
        {"name": "小 计"},
        {"_extra": {"序号": "合计：54家"}, "employees": 12},
        {"_row_label": "合计：54家", "employees": 12},
        {"name": "Total"},
        {"name": "共计", "address": ""},
        {"name": "全区合计", "employees": 350},
        {"name": "合计 54 家"},
    ],
)
def test_totals_rows_are_recognised(raw):
    assert totals_word(raw)


@pytest.mark.parametrize(
    "raw",
    [
        {"uscc": code(1), "name": "合计五金厂"},  # a credit code: an enterprise
        {"name": "统计局", "address": "合计路1号"},  # an address, not a totals cell
        {"name": "某某合计有限公司"},
    ],
)
def test_enterprise_rows_are_not_totals(raw):
    assert not totals_word(raw)


def test_totals_rows_keep_the_accounting():
    rows = [
        (2, row()),
        (3, {"name": "小计", "employees": 10}),
        (4, {}),
        (5, row(uscc="123")),
        (6, {"uscc": "合计"}),
    ]
    summary = ImportSummary()
    list(validate_rows(rows, summary))
    assert (summary.valid, summary.rejected, summary.blank, summary.totals) == (
        1,
        1,
        1,
        2,
    )
    assert summary.balanced and summary.rows == 5


# --- contacts, extras, hints -----------------------------------------------------------


def _csv(path, header, rows):
    with open(path, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_no_column_is_dropped(tmp_path):
    path = _csv(
        tmp_path / "r.csv",
        [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "地址",
            "法定代表人",
            "主要负责人",
            "安全主任",
            "联系电话",
            "备注",
            "",
            "营业执照注册号",
        ],
        [
            [
                "1",
                code(1),
                "甲厂",
                "张槎路1号",
                "张三",
                "李四",
                "王五",
                "0757-83084971",
                "重点",
                "无表头",
                "440604000123456",
            ]
        ],
    )
    summary = ImportSummary()
    ((_, rec, _),) = validate_rows(read_registry(path), summary)
    assert (
        rec["legal_representative"],
        rec["principal"],
        rec["safety_officer"],
        rec["contact_phone"],
    ) == ("张三", "李四", "王五", "0757-83084971")
    # 序号 is the file's row numbering, not enterprise data: read, not kept
    assert rec["extra_attrs"] == {
        "备注": "重点",
        "列J": "无表头",
        "营业执照注册号": "440604000123456",
    }


def test_numbers_that_lost_digits_or_zeros_are_noted():
    summary = ImportSummary()
    raw = row(contact_phone=75783084971, _extra={"身份证号": 440604199001011234})
    list(validate_rows([(2, raw)], summary))
    fields = {n.field for n in summary.notes}
    assert fields == {"contact_phone", "身份证号"} and summary.valid == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_contacts_hints_and_extras_round_trip_through_export(tmp_path, fmt):
    recs = [
        {
            "uscc": code(1),
            "name": "甲厂",
            "address": "张槎路1号",
            "sector": "ceramics",
            "industry_code": "3071",
            "legal_representative": "张三",
            "contact_phone": "0757-83084971",
            "town_hint": "张槎街道",
            "community_hint": "大富社区",
            "extra_attrs": {"备注": "重点", "行业代码(附": "x"},
        },
        {
            "uscc": code(2),
            "name": "乙厂",
            "address": "张槎路2号",
            "extra_attrs": {"消防验收": "已验收"},
        },
    ]
    path = tmp_path / f"e.{fmt}"
    write_registry(recs, path)
    summary = ImportSummary()
    back = [r for _, r, _ in validate_rows(read_registry(path), summary)]
    assert summary.rejected == 0, summary.rejects
    for want, got in zip(recs, back, strict=True):
        for key, value in want.items():
            assert got[key] == value, key


TOWNS = [
    ("440604011", "张槎街道", None, "440604"),
    ("440604003", "石湾镇街道", None, "440604"),
    ("440604100", "南庄镇", None, "440604"),
]
COMMUNITIES = [
    ("440604011001", "大富社区居委会", "大富社区", "440604011"),
    ("440604100201", "吉利村民委员会", "吉利村", "440604100"),
    ("440604100001", "吉利社区居委会", "吉利社区", "440604100"),
]


@pytest.mark.parametrize(
    ("text", "code_"),
    [
        ("张槎街道", "440604011"),
        ("张槎街道办事处", "440604011"),
        ("张槎", "440604011"),
        ("禅城区张槎街道", "440604011"),
        ("佛山市禅城区张槎街道", "440604011"),
        ("石湾镇街道", "440604003"),
        ("石湾镇", "440604003"),
        ("石湾", "440604003"),
        ("南庄镇人民政府", "440604100"),
        ("440604100", "440604100"),
        ("南海市南庄镇", "440604100"),  # the former city's name in front (before 2002)
        ("祖庙街道", None),
        ("张槎路", None),
    ],
)
def test_town_hint_resolution(text, code_):
    units = UnitResolver.from_units(TOWNS, COMMUNITIES)
    assert units.town(text).code == code_


@pytest.mark.parametrize(
    ("text", "town", "code_"),
    [
        ("大富社区", None, "440604011001"),
        ("大富社区居委会", None, "440604011001"),
        ("大富", "440604011", "440604011001"),
        ("吉利村", None, "440604100201"),
        ("吉利村委会", None, "440604100201"),
        ("吉利居委会", None, "440604100001"),
        ("吉利", "440604100", None),  # both a village and a community
        ("大富社区", "440604100", None),  # in another town than 所属镇街 says
        ("440604100001", None, "440604100001"),
    ],
)
def test_community_hint_resolution(text, town, code_):
    units = UnitResolver.from_units(TOWNS, COMMUNITIES)
    assert units.community(text, town).code == code_


def test_hints_are_stored_as_written_with_their_codes():
    rules = RowRules(units=UnitResolver.from_units(TOWNS, COMMUNITIES))
    rec, _ = validate_row(
        2, row(town_hint="南庄镇", community_hint="吉利村"), rules=rules
    )
    assert (
        rec["town_hint"],
        rec["town_hint_code"],
        rec["community_hint"],
        rec["community_hint_code"],
    ) == ("南庄镇", "440604100", "吉利村", "440604100201")


def test_unresolved_hint_is_kept_as_text_with_a_note():
    rules = RowRules(units=UnitResolver.from_units(TOWNS, COMMUNITIES))
    summary = ImportSummary()
    list(validate_rows([(2, row(town_hint="大沥镇"))], summary, rules=rules))
    assert summary.valid == 1 and summary.notes[0].field == "town_hint"


def test_normalise_unit_name_drops_kind_suffixes():
    assert normalise_unit_name("南庄镇人民政府", "town") == "南庄"
    assert normalise_unit_name("吉利村民委员会", "community") == "吉利"


def test_every_vocabulary_has_labels_and_aliases_onto_its_codes():
    for name, vocab in VOCABULARIES.items():
        assert vocab.labels, name
        assert set(vocab.aliases.values()) <= set(vocab.labels), name


def test_row_numbers_are_not_kept_and_a_numbered_empty_row_is_blank(tmp_path):
    header = ["序号", "统一社会信用代码", "企业名称", "经营地址", "备注"]
    rows = [
        ["1", code(1), "甲厂", "张槎路1号", "重点"],
        ["2", "", "", "", ""],
        ["合计", "", "", "", ""],
    ]
    source = read_registry(_csv(tmp_path / "r.csv", header, rows))
    assert list(source.row_number_columns.values()) == ["序号"]
    assert source.unknown_headers == ["备注"]
    summary = ImportSummary()
    ((_, rec, _),) = validate_rows(source, summary)
    assert rec["extra_attrs"] == {"备注": "重点"}
    assert (summary.rows, summary.valid, summary.blank, summary.totals) == (3, 1, 1, 1)
    # re-numbered (a row inserted above, or the sheet sorted): the same record
    rows[0][0] = "7"
    ((_, again, _),) = validate_rows(
        read_registry(_csv(tmp_path / "r2.csv", header, rows)), ImportSummary()
    )
    assert again == rec
