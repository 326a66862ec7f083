"""The demo's supervision loop as plans the state machine will run.

:func:`plan_hazards` turns the generated hazards (:func:`gridwatch.demo.build_activity`:
found, deadline, rectified and closed dates) into each hazard's steps — action,
who (username and role) and when — that :mod:`gridwatch.supervision` allows:
discovery by the inspector (or the enterprise, self-reported), the deadline from
the street office for a major hazard a warden found, listing by the bureau,
the street office's one extension, the rectification record (the enterprise, or
the warden), failed and passed re-inspections by whoever may make them, on-the-spot
closure of some ordinary hazards, delisting. The services run the steps through
``perform`` (:mod:`gridwatch.services.demo.supervision`).

Rates, scaled from the seed report's year (49,718 units inspected): 9 major hazards
listed and 432 penalties, of which 153 fines totalling 2,196,200 yuan, each per
year in proportion to the units inspected that year (at least one listing a year
when a major hazard was found). Other shares (on-the-spot closure 12 %, failed
re-inspections 10 %, extensions, the enterprise recording its own rectification
70 %) are the generator's choices, not figures from the report. Pure and
deterministic from ``seed``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridwatch.demo.activity import REPORT

LISTING_BODY = "区安全生产委员会办公室"
ON_SPOT_SHARE = 0.12
FAIL_SHARE = 0.10
ENTERPRISE_RECORDS_SHARE = 0.7
DESCRIPTIONS = {
    "fire": ("灭火器过期未更换", "疏散通道堆放杂物", "安全出口被锁闭", "消防栓被遮挡"),
    "electrical": ("配电箱无防护门", "电线私拉乱接", "漏电保护器失效"),
    "machinery": ("设备传动部位无防护罩", "冲床双手按钮失效"),
    "hazchem_storage": ("危化品与可燃物混存", "危化品仓库未设防泄漏围堰"),
    "dust": ("除尘系统积尘未清理", "粉尘作业场所使用非防爆电器"),
    "confined_space": ("有限空间作业未审批", "有限空间无警示标志"),
    "occupational": ("作业人员未佩戴防尘口罩", "职业危害告知卡缺失"),
    "three_in_one": ("生产储存与住宿同处一栋", "员工宿舍设在车间内"),
    "management": ("安全培训记录缺失", "应急预案未演练"),
    "special_equipment": ("叉车司机无证作业", "压力容器超期未检"),
}  # fmt: skip


@dataclass
class HazardPlan:
    """One hazard and the steps that make its history.

    ``steps``: ``(action, actor, role, kwargs)`` in order, the kwargs of
    :func:`gridwatch.supervision.perform` without actor/role/in_scope.
    """

    hazard_id: int
    uscc: str
    level: str
    category: str
    description: str
    source: str
    inspection_id: int | None
    month: str | None
    steps: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class People:
    """Who acts for each enterprise: its warden and street office (None if
    none), the bureau's accounts, and every username's role."""

    warden: dict
    office: dict
    bureau: tuple[str, ...]
    role: dict


def _years(start: dt.date, today: dt.date):
    """(first, last) day of each 365-day year of the period, oldest first."""
    out, end = [], today
    while end >= start:
        first = max(start, end - dt.timedelta(days=364))
        out.append((first, end))
        end = first - dt.timedelta(days=1)
    return out[::-1]


def units_per_year(inspections: pd.DataFrame, start, today) -> list[tuple]:
    """(first, last, units inspected) for each year of the period."""
    out = []
    days = pd.to_datetime(inspections["inspected_on"])
    for first, last in _years(start, today):
        inside = (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
        out.append((first, last, int(inspections.loc[inside, "uscc"].nunique())))
    return out


def pick_listed(hazards, years, rng) -> set[int]:
    """Major hazards put under listed supervision, ~9 per 49,718 units a year."""
    out: set[int] = set()
    found = pd.to_datetime(hazards["found_on"])
    major = hazards["level"] == "major"
    for first, last, units in years:
        pool = hazards.loc[major & (found >= pd.Timestamp(first))
                           & (found <= pd.Timestamp(last)), "hazard_id"]  # fmt: skip
        if pool.empty:
            continue
        n = max(1, round(REPORT["listed_major"] * units / REPORT["units_inspected"]))
        out |= set(rng.choice(pool.to_numpy(), min(n, len(pool)), replace=False))
    return {int(i) for i in out}


def _day(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


class _Planner:
    def __init__(self, people: People, names: dict, today: dt.date, rng, start):
        self.p, self.names, self.today, self.rng = people, names, today, rng
        self.start = start

    def on_duty(self, who: tuple[str, str], on: dt.date, fallback) -> tuple:
        """``who``, unless a warden acts before the wardens were assigned (the
        first self-reports are filed in the days before the period starts)."""
        return fallback if who[1] == "warden" and on < self.start else who

    def authority(self, uscc: str) -> tuple[str, str]:
        office = self.p.office.get(uscc)
        if office:
            return office, "street_office"
        return self.p.bureau[0], "bureau"

    def reinspector(self, uscc, level, listed, finder) -> tuple[str, str]:
        """Who may re-inspect: the bureau (listed), an authority (major), else
        the inspector who found it, or the enterprise's warden."""
        if listed:
            return self.p.bureau[0], "bureau"
        if finder[1] in ("street_office", "bureau"):
            return finder
        if level == "major":
            return self.authority(uscc)
        if finder[1] == "warden":
            return finder
        warden = self.p.warden.get(uscc)
        return (warden, "warden") if warden else self.authority(uscc)

    def rectifier(self, uscc) -> tuple[str, str]:
        warden = self.p.warden.get(uscc)
        if warden and self.rng.random() > ENTERPRISE_RECORDS_SHARE:
            return warden, "warden"
        return uscc, "enterprise"

    def steps(self, h, finder, listed: bool) -> list[tuple]:
        found, deadline = h["found_on"], h["deadline"]
        rect, _closed, status = h["rectified_on"], h["closed_on"], h["status"]
        uscc, level = h["uscc"], h["level"]
        note = h["description"]
        if (
            level == "ordinary"
            and not listed
            and status == "closed"
            and finder[1] != "enterprise"
            and self.rng.random() < ON_SPOT_SHARE
        ):
            return [("discover", *finder, {"level": level, "found_on": found,
                                           "note": note}),
                    ("rectify_on_spot", *finder, {"on": found,
                                                  "note": "当场整改完毕"})]  # fmt: skip
        early = level == "ordinary" or finder[1] in ("street_office", "bureau")
        out = [
            (
                "discover",
                *finder,
                {
                    "level": level,
                    "found_on": found,
                    "note": note,
                    "deadline": deadline if early else None,
                },
            )
        ]
        last = found
        if listed:
            on = min(found + dt.timedelta(days=int(self.rng.integers(0, 8))),
                     rect or self.today, self.today)  # fmt: skip
            until = deadline if deadline > on else on + dt.timedelta(days=60)
            out.append(("list_hazard", self.p.bureau[0], "bureau", {
                "on": on, "supervising_body": LISTING_BODY,
                "responsible_person": f"{self.names.get(uscc, uscc)}主要负责人",
                "deadline": until, "note": "重大事故隐患挂牌督办"}))  # fmt: skip
            last, deadline = on, until
        elif not early:
            out.append(("start_rectification", *self.authority(uscc),
                        {"on": found, "deadline": deadline,
                         "note": "下达限期整改指令书"}))  # fmt: skip
        late = (rect is None and deadline < self.today) or (rect and rect > deadline)
        if late and self.rng.random() < 0.3:
            on = max(last, deadline - dt.timedelta(days=int(self.rng.integers(0, 4))))
            new = max(rect or deadline, deadline) + dt.timedelta(
                days=int(self.rng.integers(1, 20))
            )
            who = (self.p.bureau[0], "bureau") if listed else self.authority(uscc)
            # the street office extends (the bureau a listed one), before the
            # deadline passes and before the rectification it makes on time
            allowed = who[1] == "street_office" or listed
            if allowed and on <= deadline and on <= (rect or self.today):
                out.append(
                    (
                        "extend_deadline",
                        *who,
                        {
                            "on": on,
                            "deadline": new,
                            "note": "企业申请延期,设备采购周期长",
                        },
                    )
                )
                last, deadline = on, new  # fmt: skip
        if status in ("rectified", "closed"):
            out += self._rectified(h, finder, listed, last)
        return out

    def _rectified(self, h, finder, listed, last) -> list[tuple]:
        uscc, level, rect, closed = (
            h["uscc"],
            h["level"],
            h["rectified_on"],
            h["closed_on"],
        )
        rect = max(rect, last)
        out = []
        by = self.reinspector(uscc, level, listed, finder)
        bureau = (self.p.bureau[0], "bureau")
        if (h["status"] == "closed" and (closed - rect).days >= 6
                and self.rng.random() < FAIL_SHARE):  # fmt: skip
            gap = (closed - rect).days // 3
            fail_on, again = (
                rect + dt.timedelta(days=gap),
                rect + dt.timedelta(days=2 * gap),
            )
            out += [
                (
                    "record_rectification",
                    *self.on_duty(self.rectifier(uscc), rect, (uscc, "enterprise")),
                    {"on": rect, "note": "已按要求整改"},
                ),
                (
                    "reinspect",
                    *self.on_duty(by, fail_on, bureau),
                    {
                        "on": fail_on,
                        "passed": False,
                        "note": "整改不彻底,仍存在问题",
                        "deadline": fail_on + dt.timedelta(days=15),
                    },
                ),
            ]
            rect = again  # fmt: skip
        out.append(("record_rectification",
                    *self.on_duty(self.rectifier(uscc), rect, (uscc, "enterprise")),
                    {"on": rect, "note": "已按要求整改"}))  # fmt: skip
        if h["status"] == "closed":
            closed = max(closed, rect)
            out.append(("reinspect", *self.on_duty(by, closed, bureau),
                        {"on": closed, "passed": True,
                                           "note": "复查合格,予以销号"}))  # fmt: skip
            off = closed + dt.timedelta(days=int(self.rng.integers(3, 21)))
            if listed and off <= self.today and self.rng.random() < 0.7:
                out.append(("delist", self.p.bureau[0], "bureau",
                            {"on": off, "note": "经验收合格,予以摘牌"}))  # fmt: skip
        return out


def plan_hazards(
    hazards: pd.DataFrame,
    inspections: pd.DataFrame,
    reports: pd.DataFrame,
    people: People,
    names: dict,
    *,
    start: dt.date,
    today: dt.date,
    seed: int,
) -> list[HazardPlan]:
    """Each generated hazard's history as steps the machine allows.

    Parameters
    ----------
    hazards, inspections, reports : DataFrame
        ``build_activity``'s frames (hazards with the old lifecycle dates and
        status, inspections with their inspector, self-reports).
    people : People
        Who acts for each enterprise (by credit code).
    names : dict
        Credit code → enterprise name (for the listing's responsible person).
    start, today : date
        The period; no step is dated after ``today``.
    """
    rng = np.random.default_rng(seed + 7)
    planner = _Planner(people, names, today, rng, start)
    inspector = dict(zip(inspections["inspection_id"], inspections["inspector"],
                         strict=True))  # fmt: skip
    submitted = {(u, _day(d)): m for u, d, m in zip(
        reports["uscc"], reports["submitted_on"], reports["month"], strict=True)
        if d is not None and not pd.isna(d)}  # fmt: skip
    listed = pick_listed(hazards, units_per_year(inspections, start, today), rng)
    cats = DESCRIPTIONS
    out = []
    for rec in hazards.to_dict("records"):
        h = {k: _day(rec[k]) for k in ("found_on", "deadline", "rectified_on",
                                       "closed_on")}  # fmt: skip
        h.update(uscc=rec["uscc"], level=rec["level"], status=rec["status"])
        options = cats.get(rec["category"], ("安全隐患",))
        h["description"] = options[int(rng.integers(0, len(options)))]
        ins = rec["inspection_id"]
        if ins is None or pd.isna(ins):
            finder, source, ins = (rec["uscc"], "enterprise"), "self_report", None
        else:
            who = inspector.get(int(ins))
            role = people.role.get(who)
            finder = (who, role) if role else planner.authority(rec["uscc"])
            source, ins = "inspection", int(ins)
        plan = HazardPlan(
            int(rec["hazard_id"]), rec["uscc"], rec["level"], rec["category"],
            h["description"], source, ins,
            submitted.get((rec["uscc"], h["found_on"])) if ins is None else None,
        )  # fmt: skip
        plan.steps = planner.steps(h, finder, plan.hazard_id in listed)
        out.append(plan)
    return out


def plan_penalties(
    hazards: pd.DataFrame,
    inspections: pd.DataFrame,
    people: People,
    *,
    start: dt.date,
    today: dt.date,
    seed: int,
) -> pd.DataFrame:
    """Penalty decisions at the seed's rates (module docstring), on hazards found
    by inspections that year (majors and late rectifications weigh more).

    Returns
    -------
    DataFrame
        ``decision_no`` (unique), ``decided_on``, ``kind``, ``amount_yuan``,
        ``uscc``, ``inspection_id``, ``hazard_id``, ``recorded_by``.
    """
    rng = np.random.default_rng(seed + 11)
    per_fine = REPORT["fines_yuan"] / REPORT["fines"]
    found = pd.to_datetime(hazards["found_on"])
    rows = []
    for first, last, units in units_per_year(inspections, start, today):
        pool = hazards.loc[hazards["inspection_id"].notna()
                           & (found >= pd.Timestamp(first))
                           & (found <= pd.Timestamp(last))]  # fmt: skip
        n = min(
            len(pool), round(REPORT["penalties"] * units / REPORT["units_inspected"])
        )
        if n == 0:
            continue
        w = (1 + 20 * (pool["level"] == "major")
             + 5 * pool["status"].isin(["open", "overdue"])).to_numpy(float)  # fmt: skip
        pick = pool.iloc[
            np.sort(rng.choice(len(pool), n, replace=False, p=w / w.sum()))
        ]
        n_fines = round(n * REPORT["fines"] / REPORT["penalties"])
        kinds = np.array(
            ["fine"] * n_fines
            + list(
                rng.choice(
                    ["warning", "suspension", "confiscation"],
                    n - n_fines,
                    p=[0.6, 0.2, 0.2],
                )
            )
        )
        rng.shuffle(kinds)
        raw = rng.lognormal(np.log(per_fine), 0.8, n)
        fines = kinds == "fine"
        amount = np.zeros(n)
        if fines.any():
            amount[fines] = np.maximum(
                np.round(raw[fines] * per_fine * fines.sum() / raw[fines].sum(), -2),
                1000.0,
            )
        conf = kinds == "confiscation"
        amount[conf] = np.round(rng.uniform(2000, 30000, conf.sum()), -2)
        for r, kind, yuan in zip(pick.itertuples(), kinds, amount, strict=True):
            decided = min(_day(r.found_on) + dt.timedelta(days=int(rng.integers(10, 46))),
                          today)  # fmt: skip
            rows.append({"decided_on": decided, "kind": str(kind),
                         "amount_yuan": float(yuan), "uscc": r.uscc,
                         "inspection_id": int(r.inspection_id),
                         "hazard_id": int(r.hazard_id),
                         "recorded_by": people.office.get(r.uscc)
                         or people.bureau[0]})  # fmt: skip
    out = pd.DataFrame(
        rows,
        columns=[
            "decided_on",
            "kind",
            "amount_yuan",
            "uscc",
            "inspection_id",
            "hazard_id",
            "recorded_by",
        ],
    )
    out = out.sort_values("decided_on", kind="stable").reset_index(drop=True)
    seq: dict[int, int] = {}
    numbers = []
    for d in out["decided_on"]:
        seq[d.year] = seq.get(d.year, 0) + 1
        numbers.append(f"禅安监罚〔{d.year}〕{seq[d.year]}号")
    out.insert(0, "decision_no", numbers)
    return out
