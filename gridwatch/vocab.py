"""Controlled vocabularies: codes used in data and code, with their Chinese labels.

One place for every list that input is validated against (registry import, forms,
API) and that the UI translates. Keys are stable English codes; values are zh-CN.
:data:`VOCABULARIES` names every list (``gridwatch vocab NAME`` prints it, with
the other spellings an import accepts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

RISK_LEVELS: dict[str, str] = {  # 风险等级 红/橙/黄/蓝 (重大/较大/一般/低)
    "red": "红(重大风险)",
    "orange": "橙(较大风险)",
    "yellow": "黄(一般风险)",
    "blue": "蓝(低风险)",
}
#: Chinese spellings accepted on import for each risk level.
RISK_ALIASES: dict[str, str] = {
    "红": "red",
    "红色": "red",
    "重大": "red",
    "重大风险": "red",
    "a": "red",
    "橙": "orange",
    "橙色": "orange",
    "较大": "orange",
    "较大风险": "orange",
    "b": "orange",
    "黄": "yellow",
    "黄色": "yellow",
    "一般": "yellow",
    "一般风险": "yellow",
    "c": "yellow",
    "蓝": "blue",
    "蓝色": "blue",
    "低": "blue",
    "低风险": "blue",
    "d": "blue",
}

SECTORS: dict[str, str] = {
    "ceramics": "陶瓷",
    "sanitary_ware": "卫浴洁具",
    "furniture": "家具",
    "nonferrous_metals": "有色金属",
    "al_mg_machining": "铝镁制品机加工",
    "metal_products": "金属制品",
    "hazchem": "危险化学品",
    "fireworks": "烟花爆竹经营",
    "liquid_ammonia": "涉氨制冷",
    "warehouse": "仓储物流",
    "textile": "纺织服装",
    "plastics": "塑料制品",
    "printing": "印刷包装",
    "food": "食品加工",
    "machinery": "机械设备",
    "electronics": "电子电器",
    "building_materials": "建材",
    "retail": "商贸零售",
    "hospitality": "餐饮住宿",
    "other": "其他",
}
#: Other spellings registries use for a sector (besides its code and label); the
#: national classification GB/T 4754-2017 is accepted too, through the data table
#: ``gridwatch/data/gbt4754_sector_map.csv`` (``gridwatch vocab industries``).
SECTOR_ALIASES: dict[str, str] = {
    "陶瓷制品": "ceramics", "陶瓷制造": "ceramics", "建筑陶瓷": "ceramics",
    "瓷砖": "ceramics", "卫浴": "sanitary_ware", "洁具": "sanitary_ware",
    "卫生洁具": "sanitary_ware", "家具制造": "furniture", "木制品": "furniture",
    "家私": "furniture", "铝型材": "nonferrous_metals", "有色金属冶炼": "nonferrous_metals",
    "铝镁": "al_mg_machining", "铝镁加工": "al_mg_machining",
    "金属加工": "metal_products", "五金": "metal_products", "五金制品": "metal_products",
    "危化": "hazchem", "危化品": "hazchem", "危险化学品经营": "hazchem", "化工": "hazchem",
    "烟花爆竹": "fireworks", "烟花": "fireworks", "涉氨": "liquid_ammonia",
    "液氨": "liquid_ammonia", "冷库": "liquid_ammonia", "仓储": "warehouse",
    "物流": "warehouse", "纺织": "textile", "服装": "textile", "塑料": "plastics",
    "印刷": "printing", "包装": "printing", "食品": "food", "机械": "machinery",
    "电子": "electronics", "电器": "electronics", "建筑材料": "building_materials",
    "零售": "retail", "商贸": "retail", "餐饮": "hospitality", "住宿": "hospitality",
    "酒店": "hospitality",
}

INSPECTION_KINDS: dict[str, str] = {  # the "三查"
    "inspection": "检查",
    "spot_check": "抽查",
    "patrol": "巡查",
}

INSPECTION_RESULTS: dict[str, str] = {
    "pass": "合格",
    "hazards_found": "发现隐患",
    "ordered_to_stop": "责令停产停业",
}

#: Check-in of an inspection recorded on a phone (gridwatch.checkin). Only
#: ``far`` is flagged for review; the others say why nothing could be verified.
CHECKIN_STATUSES: dict[str, str] = {
    "verified": "已核验(在企业附近)",
    "far": "距企业过远(待核查)",
    "coarse": "手机定位精度不足,无法核验",
    "site_imprecise": "企业位置仅到镇街/村社区,无法核验",
    "not_same_day": "补录(定位非检查当日),无法核验",
    "unverified": "未获取定位,未核验",
}

#: Inspection status of an enterprise at the end of a period (the map colours;
#: rules and the same labels in gridwatch.analytics.coverage.STATUS_LABELS).
INSPECTION_STATUSES: dict[str, str] = {
    "on_time": "按期",
    "due_soon": "即将到期",
    "overdue": "逾期",
    "never": "从未检查",
}

#: Why an enterprise is on the warden's to-do list (gridwatch.services.todo.URGENCY).
TODO_URGENCIES: dict[str, str] = {  # most urgent first (services.todo ranks so)
    "overdue": "逾期未检查",
    "due_soon": "即将到期",
    "hazard_due": "隐患整改临近期限",
    "campaign": "专项整治待检查",
    "no_report": "未按月自查自报",
    "on_time": "按期",
}

#: Where an enterprise stands in the grids (gridwatch.assign.precision.placement;
#: gridwatch.services.assignment.responsible_on adds ``unassigned``).
PLACEMENTS: dict[str, str] = {
    "definite": "已入格",
    "imprecise": "入格存疑(仅定位到村/社区)",
    "unplaced": "待人工落格(仅定位到镇街或区)",
    "no_location": "未定位,无法入格",
    "unassigned": "已定位,但不在任何网格内",
}

#: Getis-Ord Gi* class of a hotspot cell (gridwatch.analytics.hotspots.LABELS_ZH).
HOTSPOT_LABELS: dict[str, str] = {
    "hot_99": "热点 99% 置信",
    "hot_95": "热点 95% 置信",
    "hot_90": "热点 90% 置信",
    "not_significant": "不显著",
    "cold_90": "冷点 90% 置信",
    "cold_95": "冷点 95% 置信",
    "cold_99": "冷点 99% 置信",
    "no_data": "无受检企业（未检验）",
}

#: Emerging-hotspot pattern of a cell (gridwatch.analytics.trends.TRENDS_ZH).
HOTSPOT_TRENDS: dict[str, str] = {
    "new": "新热点",
    "intensifying": "加剧热点",
    "persistent": "持续热点",
    "diminishing": "减弱热点",
    "sporadic": "零星热点",
    "historical": "历史热点",
    "none": "无模式",
}

HAZARD_LEVELS: dict[str, str] = {"ordinary": "一般隐患", "major": "重大隐患"}

#: States of the hazard machine (gridwatch.supervision.lifecycle): 排查 → 整改 → 复查
#: → 销号 (SAWS Order No. 16, 2007). Overdue is derived from the deadline, never a state.
HAZARD_STATUSES: dict[str, str] = {
    "found": "已排查待整改",
    "rectifying": "整改中",
    "rectified": "已整改待复查",
    "closed": "已销号",
}
#: Derived flags shown beside a state (never stored as one).
HAZARD_FLAGS: dict[str, str] = {
    "overdue": "逾期未整改",
    "rectified_late": "逾期整改",
    "listed": "挂牌督办",
    "delisted": "已摘牌",
    "self_reported": "企业自查自报",
}
#: Statuses written before the state machine (demo generator, schema revision 0001)
#: → the state they become. 'open' and 'overdue' were both unrectified hazards with a
#: deadline: 'rectifying' (overdue is derived from the deadline now).
LEGACY_HAZARD_STATUSES: dict[str, str] = {
    "open": "rectifying",
    "overdue": "rectifying",
    "rectified": "rectified",
    "closed": "closed",
}
#: Their old labels, for reading old exports.
LEGACY_HAZARD_STATUS_LABELS: dict[str, str] = {
    "open": "未整改",
    "rectified": "已整改待复查",
    "closed": "已销号",
    "overdue": "逾期未整改",
}

HAZARD_ACTIONS: dict[str, str] = {  # one event row per action
    "discover": "排查发现",
    "start_rectification": "下达整改(限期)",
    "record_rectification": "整改完成",
    "reinspect": "复查",
    "extend_deadline": "延期整改",
    "list_hazard": "挂牌督办",
    "delist": "摘牌",
    "rectify_on_spot": "当场整改",
}
REINSPECTION_RESULTS: dict[str, str] = {"pass": "复查合格(销号)", "fail": "复查不合格"}

HAZARD_CATEGORIES: dict[str, str] = {
    "fire": "消防安全",
    "electrical": "电气安全",
    "machinery": "机械防护",
    "hazchem_storage": "危化品储存",
    "dust": "粉尘防爆",
    "confined_space": "有限空间",
    "occupational": "职业危害",
    "three_in_one": "三合一场所",
    "management": "安全管理",
    "special_equipment": "特种设备",
}

PENALTY_KINDS: dict[str, str] = {
    "warning": "警告",
    "fine": "罚款",
    "suspension": "责令停产停业整顿",
    "confiscation": "没收违法所得",
}

ROLES: dict[str, str] = {
    "warden": "网格员",
    "street_office": "街道(镇)安监办",
    "bureau": "区安监局",
    "admin": "系统管理员",
}
#: Who can act on a hazard: the login roles plus the enterprise itself, whose
#: self-inspection reports (自查自报) bring its own hazards and rectifications in.
#: Not a login role: never add it to ROLES.
ACTOR_ROLES: dict[str, str] = {**ROLES, "enterprise": "企业(自查自报)"}

PRECISIONS: dict[str, str] = {  # geocode precision, best first
    "manual": "人工标注",
    "supplied": "登记坐标",
    "door": "门牌",
    "road": "道路",
    "community": "社区/村",
    "town": "镇街",
    "district": "区",
    "none": "未定位",
}

#: How far an enterprise's point can be trusted, one plain sentence per precision
#: (gridwatch.fieldwork.checkin.location_note; shown in the enterprise's file).
LOCATION_NOTES: dict[str, str] = {
    "manual": "位置由人工在地图上标注。",
    "supplied": "位置为登记时提供的坐标。",
    "door": "位置精确到门牌。",
    "road": "位置仅精确到道路，门牌未确认，可能偏离企业数百米。",
    "community": "位置仅精确到村/社区：地图上的点是村/社区的代表点，不是企业所在地。",
    "town": "位置仅精确到镇街：地图上的点是镇街的代表点，不是企业所在地。",
    "district": "位置仅精确到区：地图上的点是全区的代表点，不是企业所在地。",
    "none": "尚未定位：请在地图上标注企业位置。",
}

ADMIN_LEVELS: dict[str, str] = {
    "district": "区",
    "town": "镇/街道",
    "community": "村/社区",
}

TIPOFF_STATUSES: dict[str, str] = {  # 群众举报 / 随手拍
    "new": "待处理",
    "converted": "已转为隐患",
    "referred": "已移交其他部门",
    "dismissed": "不予受理",
}
TIPOFF_ACTIONS: dict[str, str] = {
    "convert_to_hazard": "转为隐患",
    "refer": "移交其他部门",
    "dismiss": "不予受理",
}
#: Derived: a tip-off still new after the configured number of days.
TIPOFF_FLAGS: dict[str, str] = {"escalated": "超期未处理(已提交街道)"}
#: Examples offered when referring a tip-off; the department is free text.
REFERRAL_DEPARTMENTS: tuple[str, ...] = (
    "消防救援大队",
    "市场监督管理局",
    "住房城乡建设和水利局",
    "城市管理和综合执法局",
    "生态环境分局",
    "公安分局(派出所)",
    "交通运输局",
    "卫生健康局",
)

#: Preset special campaigns (专项整治) named in the bureau's report; see
#: gridwatch.supervision.campaigns.PRESETS for what each selects.
CAMPAIGNS: dict[str, str] = {
    "hazchem": "危险化学品专项整治",
    "fireworks": "烟花爆竹专项整治",
    "ammonia_chlorine": "液氨液氯专项整治",
    "occupational": "职业危害专项治理",
    "petrochemical_depots": "石油库和油气装卸码头专项整治",
    "furniture": "家具行业专项整治",
    "nonferrous_metals": "有色金属行业专项整治",
    "al_mg_dust": "铝镁制品机加工粉尘防爆专项整治",
    "confined_spaces": "有限空间作业专项整治",
    "three_in_one": "“三合一”场所专项整治",
}
#: Column labels of campaign progress tables and exports.
CAMPAIGN_PROGRESS_LABELS: dict[str, str] = {
    "targets": "目标企业数",
    "inspected": "已检查企业数",
    "reached": "达标企业数",
    "inspections": "检查次数",
    "share_reached": "完成率",
    "remaining": "未完成企业数",
}

SELF_REPORT_STATUSES: dict[str, str] = {  # 自查自报, monthly
    "reported": "按时报送",
    "late": "逾期报送",
    "missing": "未报送",
    "pending": "未到报送期限",
}

#: Column labels of penalty totals (行政处罚 / 经济处罚).
PENALTY_TOTAL_LABELS: dict[str, str] = {
    "penalties": "行政处罚(次)",
    "fines": "经济处罚(次)",
    "fines_yuan": "罚款金额(元)",
    "confiscated_yuan": "没收违法所得(元)",
}

#: Accident grades of State Council Decree No. 493 (2007), least severe first;
#: thresholds in :func:`gridwatch.analytics.assessment.accident_grade`.
ACCIDENT_GRADES: dict[str, str] = {
    "ordinary": "一般事故",
    "relatively_serious": "较大事故",
    "serious": "重大事故",
    "especially_serious": "特别重大事故",
}
#: Chinese spellings accepted for each accident grade.
ACCIDENT_GRADE_ALIASES: dict[str, str] = {
    "一般": "ordinary",
    "一般事故": "ordinary",
    "较大": "relatively_serious",
    "较大事故": "relatively_serious",
    "重大": "serious",
    "重大事故": "serious",
    "特别重大": "especially_serious",
    "特别重大事故": "especially_serious",
}

#: How a hazard came to be recorded (hazards.source).
HAZARD_SOURCES: dict[str, str] = {
    "inspection": "检查发现",
    "self_report": "企业自查自报",
    "tipoff": "群众举报",
}
#: How a tip-off was routed (tipoffs.routed_by).
TIPOFF_ROUTES: dict[str, str] = {
    "point": "按地图位置分派到网格",
    "address": "按地址定位分派到网格",
    "street": "地址仅定位到村居/镇街,分派到街道",
    "none": "未能定位,由区局分派",
}
#: Patrol plans: the state of a planned stop (:mod:`gridwatch.patrol.progress`).
PATROL_STOP_STATUSES: dict[str, str] = {
    "done": "已完成",
    "done_other_day": "已完成(非计划日)",
    "pending": "待巡查",
    "missed": "未完成",
}
#: Why a due visit is not in a plan (:data:`gridwatch.patrol.plan.NOT_PLANNED`).
PATROL_NOT_PLANNED: dict[str, str] = {
    "no_location": "企业无坐标，无法排入路线(请先完成地址匹配或人工标注)",
    "no_warden": "企业所在网格没有网格员",
    "no_working_day": "网格员在计划期内没有工作日",
    "no_capacity": "计划期内网格员的日巡查量已排满",
}
#: 安全生产标准化: the step an enterprise took (``none``: lapsed or revoked).
STANDARDISATION_STATUSES: dict[str, str] = {
    "none": "无",
    "self_assessed": "已自评",
    "reviewed": "已评审",
}
#: Standardisation levels (安全生产标准化等级; 小微企业 have their own grade).
STANDARDISATION_LEVELS: dict[str, str] = {
    "level1": "一级",
    "level2": "二级",
    "level3": "三级",
    "small": "小微企业",
}
#: 职业病危害申报 of one enterprise for one year.
DECLARATION_STATUSES: dict[str, str] = {
    "declared": "已申报",
    "missing": "应报未报",
}
#: Indicators the bureau sets an annual target for (keys of
#: gridwatch.report.ANNUAL_FIGURES), with their unit.
TARGET_INDICATORS: dict[str, str] = {
    "standardisation_self_assessed": "安全生产标准化自评（家）",
    "standardisation_reviewed": "安全生产标准化评审（家）",
    "declarations": "职业病危害申报（家）",
    "safety_officers_trained": "安全主任培训（人）",
}

#: Chinese names of the bureau's figures (dashboard cards, chart titles), by
#: key; tests/unit/test_bureau_figures.py checks they equal the report's and
#: the dashboard's catalogues.
FIGURE_LABELS: dict[str, str] = {
    "units_inspected": "监督检查生产经营单位",
    "inspections": "检查",
    "hazards_found": "查处事故隐患",
    "hazards_rectified": "整改隐患",
    "rectification_rate": "隐患整改率",
    "major_hazards": "重大事故隐患",
    "listed_hazards": "挂牌督办重大隐患",
    "listed_hazards_closed": "挂牌督办隐患销号",
    "penalties": "行政处罚",
    "fines": "经济处罚",
    "fine_amount": "经济处罚额",
    "campaigns": "专项整治行动",
    "enterprises": "纳入“一企一档”的生产经营单位",
    "enterprises_new": "新增录入企业",
    "grids": "监管网格",
    "wardens": "网格员",
    "coverage_rate": "按风险等级按期检查率",
    "self_report_rate": "企业隐患自查自报率",
    "standardisation_self_assessed": "完成安全生产标准化自评企业",
    "standardisation_reviewed": "完成安全生产标准化评审企业",
    "declarations": "完成职业病危害申报备案企业",
    "safety_officers_trained": "培训安全主任",
    "accidents": "生产安全事故",
    "accident_deaths": "事故死亡",
    "accidents_serious": "较大及以上事故",
    "inspected_rate": "大检查覆盖率",
    "rectification_on_time_rate": "隐患按期整改率",
    "overdue_major_hazards": "逾期未整改重大隐患",
    "listed_hazards_closed_rate": "挂牌督办隐患销号率",
    "campaign_completion": "专项整治任务完成率",
    "declaration_rate": "职业病危害申报率",
    "ordinary_accidents": "一般生产安全事故",
    "hazards_overdue": "逾期未整改隐患",
    "hazards_rectified_in_period": "期内整改隐患",
    "hazards_closed": "销号隐患",
}

#: Yes/no cells (三合一, 涉危化品): accepted spellings, compared lower-cased.
YES_NO: dict[str, str] = {"yes": "是", "no": "否"}
YES_NO_ALIASES: dict[str, str] = {
    **dict.fromkeys(("是", "有", "涉及", "y", "yes", "true", "t", "1", "√", "✓", "✔"),
                    "yes"),
    **dict.fromkeys(("否", "无", "没有", "不涉及", "n", "no", "false", "f", "0", "×",
                     "✗", "-"), "no"),
}

#: Cells that mark a totals row of a registry sheet (skipped, counted as totals).
TOTAL_ROW_WORDS: dict[str, str] = {
    "total": "合计", "grand_total": "总计", "subtotal": "小计", "sum": "共计",
}
TOTAL_ROW_ALIASES: dict[str, str] = {
    "合计": "total", "总计": "grand_total", "小计": "subtotal", "共计": "sum",
    "total": "total", "subtotal": "subtotal", "grand total": "grand_total",
}

#: Problems with a stored registry record, for a person to check (registry_flags).
REGISTRY_FLAGS: dict[str, str] = {
    "hazchem_without_hazchem": "行业为危险化学品但涉危化品为否",
    "town_hint_mismatch": "所属镇街与定位点所在镇街不一致",
    "community_hint_mismatch": "所属村居与定位点所在村居不一致",
}


@dataclass(frozen=True)
class Vocabulary:
    """One controlled list: codes → zh-CN labels, and other accepted spellings."""

    title: str
    labels: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)


#: Every controlled list by its command-line name (``gridwatch vocab NAME``).
VOCABULARIES: dict[str, Vocabulary] = {
    "sectors": Vocabulary("行业 supervision sectors", SECTORS, SECTOR_ALIASES),
    "risk-levels": Vocabulary("风险等级 risk levels", RISK_LEVELS, RISK_ALIASES),
    "yes-no": Vocabulary("是/否 yes-no cells", YES_NO, YES_NO_ALIASES),
    "hazard-levels": Vocabulary("隐患等级 hazard levels", HAZARD_LEVELS),
    "hazard-statuses": Vocabulary("隐患状态 hazard statuses", HAZARD_STATUSES),
    "hazard-categories": Vocabulary("隐患类别 hazard categories", HAZARD_CATEGORIES),
    "inspection-kinds": Vocabulary("检查方式 inspection kinds", INSPECTION_KINDS),
    "inspection-results": Vocabulary("检查结果 inspection results", INSPECTION_RESULTS),
    "penalty-kinds": Vocabulary("处罚种类 penalty kinds", PENALTY_KINDS),
    "roles": Vocabulary("角色 roles", ROLES),
    "precisions": Vocabulary("定位精度 geocode precisions", PRECISIONS),
    "admin-levels": Vocabulary("行政层级 administrative levels", ADMIN_LEVELS),
    "registry-flags": Vocabulary("登记数据问题 registry flags", REGISTRY_FLAGS),
    "total-rows": Vocabulary("合计行 totals-row words", TOTAL_ROW_WORDS, TOTAL_ROW_ALIASES),
    "hazard-actions": Vocabulary("隐患处置环节 hazard actions", HAZARD_ACTIONS),
    "hazard-sources": Vocabulary("隐患来源 hazard sources", HAZARD_SOURCES),
    "tipoff-statuses": Vocabulary("举报处理状态 tip-off statuses", TIPOFF_STATUSES),
    "tipoff-actions": Vocabulary("举报处置 tip-off actions", TIPOFF_ACTIONS),
    "campaigns": Vocabulary("专项整治 campaign presets", CAMPAIGNS),
    "patrol-stop-statuses": Vocabulary("巡查站点状态 patrol stop statuses",
                                       PATROL_STOP_STATUSES),
    "patrol-not-planned": Vocabulary("未排入原因 why a visit is not planned",
                                     PATROL_NOT_PLANNED),
    "accident-grades": Vocabulary(
        "事故等级 accident grades", ACCIDENT_GRADES, ACCIDENT_GRADE_ALIASES
    ),
    "standardisation-statuses": Vocabulary(
        "安全生产标准化 standardisation steps", STANDARDISATION_STATUSES
    ),
    "standardisation-levels": Vocabulary(
        "标准化等级 standardisation levels", STANDARDISATION_LEVELS
    ),
    "declaration-statuses": Vocabulary(
        "职业病危害申报 declaration statuses", DECLARATION_STATUSES
    ),
    "target-indicators": Vocabulary("年度目标指标 target indicators", TARGET_INDICATORS),
}
