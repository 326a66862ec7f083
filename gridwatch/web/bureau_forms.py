"""Flask-WTF forms of the bureau's pages (accidents, targets, safety records,
assessment figures and scheme). Labels are lazy gettext; the services check the
values again and answer with one sentence when something is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from gridwatch.vocab import (
    ACCIDENT_GRADES,
    DECLARATION_STATUSES,
    STANDARDISATION_LEVELS,
    STANDARDISATION_STATUSES,
    TARGET_INDICATORS,
)


def _choices(table: dict, blank: str | None = None) -> list[tuple[str, str]]:
    out = [("", blank)] if blank is not None else []
    return out + [(k, _l(v)) for k, v in table.items()]


class AccidentForm(FlaskForm):
    occurred_on = DateField(_l("事故日期"), validators=[DataRequired()])
    place = StringField(
        _l("地点（企业名称或地址）"), validators=[DataRequired(), Length(max=300)]
    )
    uscc = StringField(
        _l("企业统一社会信用代码"), validators=[Optional(), Length(max=30)]
    )
    lng = StringField(_l("经度"), validators=[Optional(), Length(max=20)])
    lat = StringField(_l("纬度"), validators=[Optional(), Length(max=20)])
    datum = SelectField(
        _l("坐标系"),
        choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02"), ("bd09", "BD-09")],
        default="wgs84",
    )
    grade = SelectField(_l("事故等级"), choices=[], validators=[Optional()])
    deaths = StringField(_l("死亡人数"), default="0", validators=[Length(max=6)])
    serious_injuries = StringField(
        _l("重伤人数"), default="0", validators=[Length(max=6)]
    )
    direct_loss_yuan = StringField(
        _l("直接经济损失（元）"), default="0", validators=[Length(max=20)]
    )
    ref = StringField(_l("事故编号"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(
        _l("简要情况"), validators=[Optional(), Length(max=2000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grade.choices = _choices(ACCIDENT_GRADES, _l("按伤亡和损失自动判定"))


class TargetForm(FlaskForm):
    year = StringField(_l("年度"), validators=[DataRequired(), Length(max=4)])
    indicator = SelectField(_l("指标"), choices=[], validators=[DataRequired()])
    unit_code = SelectField(_l("范围"), choices=[], validators=[Optional()])
    value = StringField(_l("目标值"), validators=[DataRequired(), Length(max=12)])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])

    def __init__(self, towns: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator.choices = _choices(TARGET_INDICATORS)
        self.unit_code.choices = [("", _l("全区"))] + towns


class SafetyImportForm(FlaskForm):
    file = FileField(
        _l("企业安全基础台账（XLSX 或 CSV）"),
        validators=[
            FileRequired(),
            FileAllowed(["xlsx", "csv", "txt"], _l("请上传 .xlsx 或 .csv 文件。")),
        ],
    )


class EnterpriseSafetyForm(FlaskForm):
    std_status = SelectField(_l("标准化状态"), choices=[], validators=[Optional()])
    std_level = SelectField(_l("标准化等级"), choices=[], validators=[Optional()])
    std_date = DateField(_l("标准化日期"), validators=[Optional()])
    decl_year = StringField(_l("申报年度"), validators=[Optional(), Length(max=4)])
    decl_status = SelectField(_l("申报状态"), choices=[], validators=[Optional()])
    decl_date = DateField(_l("申报日期"), validators=[Optional()])
    officer = StringField(_l("安全主任"), validators=[Optional(), Length(max=100)])
    trained_on = DateField(_l("培训日期"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.std_status.choices = _choices(STANDARDISATION_STATUSES, "")
        self.std_level.choices = _choices(STANDARDISATION_LEVELS, "")
        self.decl_status.choices = _choices(DECLARATION_STATUSES, "")

    def values(self) -> dict:
        """The form as the import's fields (empty values set nothing)."""
        return {
            name: getattr(self, name).data
            for name in (
                "std_status",
                "std_level",
                "std_date",
                "decl_year",
                "decl_status",
                "decl_date",
                "officer",
                "trained_on",
            )
        }


class ManualFigureForm(FlaskForm):
    # choices are filled for the page; the service checks the town and indicator
    town_code = SelectField(
        _l("镇（街道）"), choices=[], validators=[DataRequired()], validate_choice=False
    )
    indicator = SelectField(
        _l("指标"), choices=[], validators=[DataRequired()], validate_choice=False
    )
    value = StringField(_l("数值"), validators=[DataRequired(), Length(max=12)])
    note = StringField(
        _l("依据（如会议纪要、演练记录）"), validators=[DataRequired(), Length(max=500)]
    )
    period = HiddenField()


class SchemeForm(FlaskForm):
    text = TextAreaField(_l("考核方案（TOML）"), validators=[DataRequired()])
    fmt = SelectField(
        _l("格式"), choices=[("toml", "TOML"), ("yaml", "YAML")], default="toml"
    )
    in_force_from = DateField(_l("施行日期"), validators=[DataRequired()])
    note = StringField(_l("修改说明"), validators=[Optional(), Length(max=500)])
