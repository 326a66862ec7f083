"""Flask-WTF forms of the street office's and the bureau's supervision pages
(hazards, penalties, imports, tip-off triage, campaigns).

The forms only read the request: which fields an action requires, the dates'
order, the kinds and the scope are checked by the services, which answer with
one sentence (shown on the page with a 4xx).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from gridwatch.vocab import (
    CAMPAIGNS,
    HAZARD_CATEGORIES,
    HAZARD_LEVELS,
    HAZARD_STATUSES,
    PENALTY_KINDS,
    REFERRAL_DEPARTMENTS,
    RISK_LEVELS,
    SECTORS,
)


def _choices(table: dict, blank=None) -> list[tuple[str, str]]:
    out = [("", blank)] if blank is not None else []
    return out + [(k, _l(v)) for k, v in table.items()]


def _whole(text):
    """A whole number typed in a box, else the text itself (the service refuses
    it with its sentence)."""
    text = (text or "1").strip() or "1"
    return int(text) if text.isdigit() else text


class HazardFilterForm(FlaskForm):
    """The street office's hazard list filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(_l("状态"), validators=[Optional()])
    level = SelectField(_l("等级"), validators=[Optional()])
    grid = StringField(_l("网格编码"), validators=[Optional(), Length(max=20)])
    overdue = SelectField(_l("是否逾期"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _choices(HAZARD_STATUSES, _l("全部未销号"))
        self.level.choices = _choices(HAZARD_LEVELS, _l("全部"))
        self.overdue.choices = [
            ("", _l("全部")),
            ("yes", _l("已逾期")),
            ("no", _l("未逾期")),
        ]

    def values(self) -> dict:
        """:func:`list_hazards` filters (unknown codes are the service's 400)."""
        return {
            "status": self.status.data or None,
            "level": self.level.data or None,
            "grid": (self.grid.data or "").strip() or None,
            "overdue": {"yes": True, "no": False}.get(self.overdue.data or ""),
            "open_only": not self.status.data,
        }


class HazardActionForm(FlaskForm):
    """One of the hazard's allowed actions (``action`` names it; the service says
    which of the other fields it needs)."""

    action = HiddenField(validators=[DataRequired(), Length(max=32)])
    deadline = DateField(_l("整改期限"), validators=[Optional()])
    passed = SelectField(
        _l("复查结果"),
        choices=[("", "—"), ("pass", _l("合格")), ("fail", _l("不合格"))],
        validators=[Optional()],
    )
    supervising_body = StringField(
        _l("督办单位"), validators=[Optional(), Length(max=100)]
    )
    responsible_person = StringField(
        _l("责任人"), validators=[Optional(), Length(max=100)]
    )
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])

    def values(self) -> dict:
        """The service's keyword arguments (blank fields as None)."""
        passed = {"pass": True, "fail": False}.get(self.passed.data or "")
        return {
            "deadline": self.deadline.data,
            "passed": passed,
            "supervising_body": (self.supervising_body.data or "").strip() or None,
            "responsible_person": (self.responsible_person.data or "").strip() or None,
            "note": (self.note.data or "").strip() or None,
        }


class PenaltyForm(FlaskForm):
    decision_no = StringField(
        _l("处罚决定书文号"), validators=[DataRequired(), Length(max=64)]
    )
    decided_on = DateField(_l("处罚决定日期"), validators=[DataRequired()])
    uscc = StringField(
        _l("统一社会信用代码"), validators=[DataRequired(), Length(max=30)]
    )
    kind = SelectField(_l("处罚种类"), validators=[DataRequired()])
    amount_yuan = StringField(
        _l("罚款金额（元）"), default="0", validators=[Length(max=16)]
    )
    inspection_id = StringField(
        _l("检查记录编号"), validators=[Optional(), Length(max=10)]
    )
    hazard_id = StringField(_l("隐患编号"), validators=[Optional(), Length(max=10)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(PENALTY_KINDS)

    def values(self) -> dict:
        """The service's keyword arguments; the service checks the numbers."""
        return {
            "decision_no": self.decision_no.data.strip(),
            "decided_on": self.decided_on.data,
            "uscc": self.uscc.data.strip(),
            "kind": self.kind.data,
            "amount_yuan": (self.amount_yuan.data or "0").strip() or "0",
            "inspection_id": (self.inspection_id.data or "").strip() or None,
            "hazard_id": (self.hazard_id.data or "").strip() or None,
        }


class SheetImportForm(FlaskForm):
    file = FileField(
        _l("文件（XLSX 或 CSV）"),
        validators=[
            FileRequired(),
            FileAllowed(["xlsx", "csv", "txt"], _l("请上传 .xlsx 或 .csv 文件。")),
        ],
    )


class TriageForm(FlaskForm):
    """A tip-off's triage: convert to a hazard, refer, or dismiss."""

    action = HiddenField(validators=[DataRequired(), Length(max=32)])
    uscc = StringField(
        _l("企业统一社会信用代码"), validators=[Optional(), Length(max=30)]
    )
    category = SelectField(_l("隐患类别"), validators=[Optional()])
    level = SelectField(_l("隐患等级"), validators=[Optional()])
    deadline = DateField(_l("整改期限"), validators=[Optional()])
    department = SelectField(_l("移交部门"), validators=[Optional()])
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=1000)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _choices(HAZARD_CATEGORIES, "—")
        self.level.choices = _choices(HAZARD_LEVELS)
        self.department.choices = [("", "—")] + [(d, d) for d in REFERRAL_DEPARTMENTS]

    def values(self) -> dict:
        def clean(f):
            return (f.data or "").strip() or None

        return {
            "uscc": clean(self.uscc),
            "category": self.category.data or None,
            "level": self.level.data or None,
            "deadline": self.deadline.data,
            "department": self.department.data or None,
            "reason": clean(self.reason),
            "note": clean(self.note),
        }


class CampaignForm(FlaskForm):
    """A campaign: a preset of the seed report, or custom targets (one selector)."""

    preset = SelectField(_l("预设专项"), validators=[Optional()])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=100)])
    start = DateField(_l("开始日期"), validators=[DataRequired()])
    end = DateField(_l("结束日期"), validators=[DataRequired()])
    sectors = SelectMultipleField(_l("行业"), validators=[Optional()])
    risk_levels = SelectMultipleField(_l("风险等级"), validators=[Optional()])
    is_three_in_one = BooleanField(_l("三合一场所"))
    has_hazchem = BooleanField(_l("涉及危险化学品"))
    hazard_categories = SelectMultipleField(
        _l("近一年有此类隐患"), validators=[Optional()]
    )
    areas = StringField(
        _l("范围（镇街或社区编码，逗号分隔；空为全区）"),
        validators=[Optional(), Length(max=400)],
    )
    min_inspections = StringField(
        _l("期内至少检查次数"), default="1", validators=[Length(max=3)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preset.choices = _choices(CAMPAIGNS, _l("自定义"))
        self.sectors.choices = _choices(SECTORS)
        self.risk_levels.choices = _choices(RISK_LEVELS)
        self.hazard_categories.choices = _choices(HAZARD_CATEGORIES)

    def values(self) -> dict:
        """The service's keyword arguments: a preset, or one custom selector."""
        selector = {
            k: v
            for k, v in {
                "sectors": self.sectors.data or None,
                "risk_levels": self.risk_levels.data or None,
                "is_three_in_one": True if self.is_three_in_one.data else None,
                "has_hazchem": True if self.has_hazchem.data else None,
                "hazard_categories": self.hazard_categories.data or None,
            }.items()
            if v is not None
        }
        areas = [a.strip() for a in (self.areas.data or "").split(",") if a.strip()]
        return {
            "preset": self.preset.data or None,
            "name": (self.name.data or "").strip() or None,
            "start": self.start.data,
            "end": self.end.data,
            "selectors": [selector] if selector else None,
            "area_prefixes": areas,
            "min_inspections": _whole(self.min_inspections.data),
        }


class PenaltyFilterForm(FlaskForm):
    """The penalty list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("处罚种类"), validators=[Optional()])
    start = DateField(_l("自"), validators=[Optional()])
    end = DateField(_l("至"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(PENALTY_KINDS, _l("全部"))

    def values(self) -> dict:
        return {
            "kind": self.kind.data or None,
            "start": self.start.data,
            "end": self.end.data,
        }
