"""The navigation of each role: ``(endpoint, label msgid)`` in display order.

A blueprint that adds a page adds its entry here (the label is a Chinese msgid;
give it an English translation in ``translations/en/LC_MESSAGES/messages.po``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

NAV: dict[str, list[tuple[str, str]]] = {
    "warden": [
        ("warden.home", _l("首页")),
        ("warden.todo", _l("待办")),
        ("warden.route", _l("今日路线")),
        ("warden.grids", _l("我的网格")),
        # issue 10: the warden's hazards and tip-off queue
        ("warden.hazards", _l("我的隐患")),
        ("warden.tipoffs", _l("群众举报")),
    ],
    "street_office": [
        ("street.home", _l("首页")),
        ("street.overview", _l("覆盖与逾期")),
        ("street.grids", _l("网格调整")),
        ("street.patrol", _l("巡查计划")),
        # issue 10: supervision (street office)
        ("street.hazards", _l("隐患清单")),
        ("street.penalties", _l("行政处罚")),
        ("street.self_reports", _l("自查自报")),
        ("street.tipoffs", _l("上报的举报")),
        ("street.campaigns", _l("专项整治")),
        # end issue 10
        ("dash.index", _l("数据看板")),
    ],
    "bureau": [
        ("bureau.home", _l("首页")),
        ("dash.index", _l("数据看板")),
        ("bureau.coverage", _l("镇街覆盖率")),
        ("bureau.hotspots", _l("隐患热点")),
        ("assess.index", _l("责任制考核")),
        ("bureau.accidents", _l("事故")),
        ("bureau.safety", _l("安全基础台账")),
        ("bureau.targets", _l("年度目标")),
        # issue 10: supervision (bureau)
        ("bureau.listed", _l("挂牌督办")),
        ("bureau.overdue_majors", _l("逾期重大隐患")),
        ("bureau.campaigns", _l("专项整治")),
        # end issue 10
    ],
    "admin": [
        ("admin.users", _l("用户")),
        ("admin.import_users_page", _l("批量导入")),
        ("assess.scheme", _l("考核方案")),
    ],
}
#: pages every signed-in user has (after the role's own)
COMMON: list[tuple[str, str]] = [("auth.account", _l("我的账号"))]

HOME = {
    "warden": "warden.home",
    "street_office": "street.home",
    "bureau": "bureau.home",
    "admin": "admin.users",
}


def items(role: str) -> list[tuple[str, str]]:
    return NAV.get(role, []) + COMMON
