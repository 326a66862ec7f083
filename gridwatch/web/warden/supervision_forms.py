"""Forms of the warden's supervision pages: a hazard's next step, tip-off triage.

Every field is optional here: the services say which are required and refuse a
missing one in one sentence (``ACTION_FIELDS``, the tip-off machine), so the page
shows the service's own reason rather than a second, differently worded rule.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from gridwatch import vocab
from gridwatch.services.inspections import TEXT_MAX

#: The warden's steps of a hazard (URL part → service action, re-inspection
#: result). A re-inspection is two steps: a pass takes no deadline, a fail needs
#: one (the machine's rule), so each has its own form.
STEPS: dict[str, tuple[str, bool | None]] = {
    "start_rectification": ("start_rectification", None),
    "record_rectification": ("record_rectification", None),
    "rectify_on_spot": ("rectify_on_spot", None),
    "reinspect_pass": ("reinspect", True),
    "reinspect_fail": ("reinspect", False),
}
STEP_LABELS = {
    "start_rectification": _l("下达限期整改"),
    "record_rectification": _l("记录整改完成"),
    "rectify_on_spot": _l("当场整改销号"),
    "reinspect_pass": _l("复查合格（销号）"),
    "reinspect_fail": _l("复查不合格（重新整改）"),
}
NOTE_LABELS = {
    "record_rectification": _l("整改措施（做了什么）"),
    "rectify_on_spot": _l("当场整改情况"),
    "reinspect_pass": _l("复查情况"),
    "reinspect_fail": _l("仍存在的问题"),
    "start_rectification": _l("整改要求"),
}


def _choices(table: dict[str, str]):
    return [(code, _l(text)) for code, text in table.items()]


class HazardStepForm(FlaskForm):
    """One step of a hazard: what was done or found, photos, a new deadline."""

    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=TEXT_MAX)])
    deadline = DateField(_l("整改期限"), validators=[Optional()])
    photos = MultipleFileField(_l("照片（最多 6 张）"))


class TriageForm(FlaskForm):
    """Triage of a tip-off: convert to a hazard, pass on, or dismiss."""

    enterprise_id = IntegerField(_l("企业"), validators=[Optional()])
    level = SelectField(_l("隐患等级"), validators=[Optional()])
    category = SelectField(_l("隐患类别"), validators=[Optional()])
    description = TextAreaField(
        _l("隐患描述（留空则用举报内容）"),
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
    deadline = DateField(_l("整改期限（留空按等级默认）"), validators=[Optional()])
    department = StringField(_l("转交给"), validators=[Optional(), Length(max=100)])
    reason = TextAreaField(_l("不予受理的理由"), validators=[Optional(),
                           Length(max=TEXT_MAX)])  # fmt: skip
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=TEXT_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = _choices(vocab.HAZARD_LEVELS)
        self.category.choices = [("", _l("请选择"))] + _choices(vocab.HAZARD_CATEGORIES)
