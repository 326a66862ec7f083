"""Forms of the warden's field pages (every one carries a CSRF token).

The services check every value again (dates, vocabularies, photo contents); these
forms give the phone user a field-level message first and read the uploads.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from gridwatch import vocab
from gridwatch.services.inspections import TEXT_MAX
from gridwatch.services.photos import Upload

#: What the page's script says about the phone's position (record.js).
GEO_STATES = ("ok", "denied", "unavailable", "timeout", "insecure", "unsupported")


def _choices(table: dict[str, str]):
    return [(code, _l(text)) for code, text in table.items()]


class InspectionForm(FlaskForm):
    """检查 / 抽查 / 巡查 with the phone's position (hidden fields set by record.js)."""

    inspected_on = DateField(_l("检查日期"), validators=[InputRequired()])
    kind = SelectField(_l("方式"), validators=[DataRequired()])
    result = SelectField(_l("结果"), validators=[DataRequired()])
    notes = TextAreaField(_l("检查情况"), validators=[Optional(), Length(max=TEXT_MAX)])
    photos = MultipleFileField(_l("照片（最多 6 张）"))
    lng = HiddenField()
    lat = HiddenField()
    accuracy = HiddenField()
    position_at = HiddenField()
    geo = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(vocab.INSPECTION_KINDS)
        self.result.choices = _choices(vocab.INSPECTION_RESULTS)


class HazardForm(FlaskForm):
    """A hazard found on an inspection; an empty deadline takes the level's default."""

    level = SelectField(_l("隐患等级"), validators=[DataRequired()])
    category = SelectField(_l("隐患类别"), validators=[DataRequired()])
    description = TextAreaField(
        _l("隐患描述"), validators=[DataRequired(), Length(max=TEXT_MAX)]
    )
    deadline = DateField(_l("整改期限"), validators=[Optional()])
    photos = MultipleFileField(_l("照片（最多 6 张）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = _choices(vocab.HAZARD_LEVELS)
        self.category.choices = _choices(vocab.HAZARD_CATEGORIES)


class LocationForm(FlaskForm):
    """The pin's new position as the page's map reports it (location.js)."""

    lng = HiddenField(validators=[InputRequired()])
    lat = HiddenField(validators=[InputRequired()])


def uploads(field, max_bytes: int) -> list[Upload]:
    """The files of a multiple-file field, each read to at most ``max_bytes + 1``
    bytes (so an oversized photo is refused without reading all of it)."""
    out = []
    for f in field.data or []:
        if f is None or not getattr(f, "filename", None):
            continue
        out.append(Upload(f.filename, f.stream.read(max_bytes + 1)))
    return out


def position_fields(form: InspectionForm) -> dict:
    """The hidden position fields as :func:`gridwatch.fieldwork.parse_position`
    arguments (empty when the script found no position)."""
    return {
        "lng": form.lng.data,
        "lat": form.lat.data,
        "accuracy_m": form.accuracy.data,
        "at": form.position_at.data or None,
    }
