"""Forms of the street office's redraw, reassignment and patrol pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


class RedrawForm(FlaskForm):
    """Start a redraw; the community choices are set by the view."""

    community = SelectField(_l("范围"), validate_choice=True)
    method = SelectField(
        _l("方法"),
        choices=[
            ("balanced", _l("均衡(按工作量)")),
            ("square", _l("方格")),
            ("hex", _l("六边形")),
        ],
        default="balanced",
    )
    target_workload = FloatField(
        _l("目标工作量(按风险加权的企业数)"),
        validators=[Optional(), NumberRange(min=1, max=100000)],
    )
    grids_per_unit = IntegerField(
        _l("每个社区的网格数"), validators=[Optional(), NumberRange(min=1, max=200)]
    )
    cell_size_m = FloatField(
        _l("网格边长(米)"), validators=[Optional(), NumberRange(min=100, max=5000)]
    )
    seed = IntegerField(
        _l("随机种子"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=2**31)],
    )

    def params(self) -> dict:
        return {
            "community": self.community.data or None,
            "method": self.method.data,
            "target_workload": self.target_workload.data,
            "grids_per_unit": self.grids_per_unit.data,
            "cell_size_m": self.cell_size_m.data,
            "seed": self.seed.data or 0,
        }


class SplitForm(FlaskForm):
    code = SelectField(_l("要拆分的网格"), validators=[DataRequired()])
    parts = IntegerField(
        _l("拆成几个"),
        default=2,
        validators=[DataRequired(), NumberRange(min=2, max=20)],
    )


class MergeForm(FlaskForm):
    first = SelectField(_l("网格一"), validators=[DataRequired()])
    second = SelectField(_l("网格二(须相邻)"), validators=[DataRequired()])


class ReassignForm(FlaskForm):
    """Confirm a previewed reassignment (the pins travel as pin-<grid> fields)."""

    version = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])


class PlanForm(FlaskForm):
    start = DateField(_l("开始日期"), validators=[DataRequired()])
    # ranges are the service's to check: its sentences say what to do
    days = IntegerField(_l("天数"), default=7, validators=[InputRequired()])
    visits_per_day = IntegerField(_l("每人每天巡查企业数"), validators=[Optional()])


def pins_from(form_data) -> dict[str, str]:
    """The manual choices of a reassignment page: ``pin-<grid code>`` → username."""
    return {
        k[4:]: v
        for k, v in form_data.items()
        if k.startswith("pin-") and v and len(k) <= 40
    }
