"""gridwatch vocab …: every controlled list an import or form accepts."""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, emit_json


@click.group("vocab", cls=GridwatchGroup)
def vocab_group() -> None:
    """Controlled vocabularies: the codes, their labels and the other spellings an
    import accepts (use them in files or with --map-values)."""


def _entries(name: str) -> list[dict]:
    from gridwatch.vocab import VOCABULARIES

    vocab = VOCABULARIES[name]
    accepts: dict[str, list[str]] = {code: [] for code in vocab.labels}
    for alias, code in vocab.aliases.items():
        accepts.setdefault(code, []).append(alias)
    return [
        {"code": code, "label": label, "accepts": accepts.get(code, [])}
        for code, label in vocab.labels.items()
    ]


def _sector_entries() -> list[dict]:
    from gridwatch.registry.industry import industries, sector_map

    out = _entries("sectors")
    by_sector: dict[str, list[str]] = {}
    for code, sector in sector_map().items():
        by_sector.setdefault(sector, []).append(
            f"{code} {industries()[code].name}" if code in industries() else code
        )
    for e in out:
        e["gbt4754"] = by_sector.get(e["code"], [])
    return out


def _industry_entries() -> list[dict]:
    from gridwatch.registry.industry import LEVELS, industries, sector_of_code
    from gridwatch.vocab import SECTORS

    return [
        {
            "code": i.code,
            "level": i.level,
            "level_zh": LEVELS[i.level],
            "name": i.name,
            "section": i.section,
            "sector": sector_of_code(i.code),
            "sector_label": SECTORS[sector_of_code(i.code)],
        }
        for i in sorted(
            industries().values(),
            key=lambda i: (i.section, "" if i.level == "section" else i.code),
        )
    ]


def _datum_entries() -> list[dict]:
    # crs keeps its spellings private; listing them here is read-only
    from gridwatch.crs import _ALIASES, Datum

    labels = {
        "wgs84": "WGS-84 (GPS)",
        "cgcs2000": "CGCS2000 (国家2000)",
        "gcj02": "GCJ-02 (高德/腾讯)",
        "bd09": "BD-09 (百度)",
    }
    return [
        {
            "code": d.value,
            "label": labels.get(d.value, d.value),
            "accepts": sorted(a for a, v in _ALIASES.items() if v is d),
        }
        for d in Datum
    ]


def _print(entries: list[dict], as_json: bool, title: str) -> None:
    if as_json:
        emit_json(entries)
        return
    click.echo(title)
    for e in entries:
        if "level" in e:
            indent = "  " * ["section", "division", "group", "class"].index(e["level"])
            click.echo(
                f"{indent}{e['code']:<5} {e['name']}  → {e['sector']} "
                f"({e['sector_label']})"
            )
            continue
        also = f"  also: {', '.join(e['accepts'])}" if e.get("accepts") else ""
        click.echo(f"{e['code']:<24} {e['label']}{also}")
        if e.get("gbt4754"):
            click.echo(f"{'':<24} GB/T 4754: {', '.join(e['gbt4754'])}")


def _make(name: str, title: str, loader):
    @vocab_group.command(name, help=f"List {title}.")
    @click.option("--json", "as_json", is_flag=True)
    def cmd(as_json):
        _print(loader(), as_json, title)

    return cmd


def _register_all() -> None:
    from gridwatch.vocab import VOCABULARIES

    for name, vocab in VOCABULARIES.items():
        loader = _sector_entries if name == "sectors" else (lambda n=name: _entries(n))
        _make(name, vocab.title, loader)
    _make(
        "industries",
        "国民经济行业分类 GB/T 4754-2017 and the sector each maps to "
        "(gridwatch/data/gbt4754_sector_map.csv)",
        _industry_entries,
    )
    _make("datums", "坐标系 coordinate datums", _datum_entries)


_register_all()


def register(main: click.Group) -> None:
    main.add_command(vocab_group)
