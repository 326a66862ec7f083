"""Flask-WTF forms (every form carries a CSRF token). Labels are lazy gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from gridwatch.services.users import MIN_PASSWORD


class SignInForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new = PasswordField(
        _l("新密码"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=256)],
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("两次输入的密码不一致。")),
        ],
    )


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class TokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称（用途）"), validators=[DataRequired(), Length(max=100)]
    )


def _role_choices():
    from gridwatch.vocab import ROLES

    return [(code, _l(label)) for code, label in ROLES.items()]


class UserForm(FlaskForm):
    """Add an account; ``scope_code`` choices are set by the view (loaded towns)."""

    username = StringField(
        _l("用户名"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z0-9_.-]{3,64}$", message=_l("3-64 个字母、数字或 . _ -")),
        ],
    )
    full_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("角色"), choices=[], validators=[DataRequired()])
    scope_code = SelectField(_l("所属镇街"), choices=[], validators=[Optional()])
    phone = StringField(_l("手机（网格员）"), validators=[Optional(), Length(max=20)])

    def __init__(self, towns: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.scope_code.choices = [("", _l("（全区）"))] + [
            (t["code"], f"{t['name']} {t['code']}") for t in towns
        ]


class EditUserForm(FlaskForm):
    full_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("角色"), choices=[], validators=[DataRequired()])
    scope_code = SelectField(_l("所属镇街"), choices=[], validators=[Optional()])

    def __init__(self, towns: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.scope_code.choices = [("", _l("（全区）"))] + [
            (t["code"], f"{t['name']} {t['code']}") for t in towns
        ]


class ImportUsersForm(FlaskForm):
    file = FileField(
        _l("用户表（XLSX 或 CSV）"),
        validators=[
            FileRequired(),
            FileAllowed(["xlsx", "csv", "txt"], _l("请上传 .xlsx 或 .csv 文件。")),
        ],
    )
