"""Bulk import of accounts from an XLSX/CSV file with Chinese headers.

Columns (header spellings compared like the registry's, after NFKC, lower-casing
and dropping spaces and bracketed notes): 用户名 (username), 姓名 (full name),
角色 (role: 网格员 / 街道(镇)安监办 / 区安监局 / 系统管理员, or the English codes),
所属镇街 (town/street: its code or name; required for wardens and street offices)
and 手机 (mobile phone, optional: kept on the warden record, so only for wardens).

The registry import's rule holds: every non-blank row is either created or
rejected with its reason, and the counts add up. Valid rows are created together
in one transaction, each with a generated password that the result carries once
(the CLI prints it, the web page offers it as a one-time download) and that the
user must change on first sign-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from gridwatch.db.models import AdminUnit, User, Warden
from gridwatch.errors import GridwatchError, InvalidInputError
from gridwatch.registry.headers import header_key
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.users import (
    SCOPED_ROLES,
    hash_password,
    new_password,
    validate_user,
)
from gridwatch.vocab import ROLES

#: field → accepted header spellings
HEADERS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "账号", "帐号", "登录名", "username", "user", "login"),
    "full_name": ("姓名", "名字", "full_name", "fullname", "name"),
    "role": ("角色", "身份", "用户类型", "role"),
    "scope": ("所属镇街", "镇街", "所属街道", "街道", "镇/街道", "scope", "town"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
}
REQUIRED = ("username", "full_name", "role")
_LOOKUP = {header_key(a): f for f, names in HEADERS.items() for a in names}
#: role spellings (compared after header_key) → role code
ROLE_ALIASES: dict[str, str] = {
    header_key(k): v
    for k, v in {
        **{code: code for code in ROLES},
        **{label: code for code, label in ROLES.items()},
        "网格员": "warden",
        "网格管理员": "warden",
        "街道安监办": "street_office",
        "镇安监办": "street_office",
        "安监办": "street_office",
        "街道办": "street_office",
        "区安监局": "bureau",
        "安监局": "bureau",
        "区局": "bureau",
        "管理员": "admin",
        "系统管理员": "admin",
    }.items()
}
# mainland mobile numbers: 11 digits starting 13-19 (an optional +86/86 prefix)
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


@dataclass
class UserImportResult:
    """What happened to each row; ``created`` rows carry their one-time password."""

    rows: int = 0
    blank: int = 0
    created: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return len(self.created) + len(self.rejected) == self.rows

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "blank": self.blank,
            "created": self.created,
            "rejected": self.rejected,
        }


def _read_rows(path: Path, sheet: str | None):
    """(row number, cells) of a CSV or XLSX file: the registry reader's readers
    (encoding detection, GBK, Excel row numbers) are reused, not copied."""
    from gridwatch.registry import reader

    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        from gridwatch.registry.xlsx import xlsx_rows

        return xlsx_rows(path, sheet).rows
    if path.suffix.lower() == ".xls":
        raise InvalidInputError(
            f"{path.name} is an old .xls workbook; save it as .xlsx or CSV."
        )
    return reader._csv_rows(path, reader.detect_encoding(path))


def _columns(cells, name: str) -> dict[int, str]:
    cols, seen = {}, set()
    for i, cell in enumerate(cells):
        f = _LOOKUP.get(header_key(cell))
        if f is not None and f not in seen:
            cols[i] = f
            seen.add(f)
    missing = [HEADERS[f][0] for f in REQUIRED if f not in seen]
    if missing:
        raise InvalidInputError(
            f"{name} has no column {'、'.join(missing)}; the header row needs "
            "用户名, 姓名, 角色, 所属镇街 and 手机."
        )
    return cols


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def read_user_file(path: str | Path, sheet: str | None = None):
    """Yield ``(row_number, {field: text})`` for each row after the header;
    blank rows as an empty dict. Raises InvalidInputError for an unreadable file
    or a header without the required columns."""
    path = Path(path)
    rows = _read_rows(path, sheet)
    for number, cells in rows:
        if any(_text(c) for c in cells):
            cols = _columns(cells, path.name)
            break
    else:
        raise InvalidInputError(f"{path.name} is empty; nothing to import.")
    for number, cells in rows:
        yield number, {f: _text(cells[i]) for i, f in cols.items() if i < len(cells)}


def _towns(conn) -> dict[str, str]:
    """Town code, name and short name (after header_key) → town code."""
    out = {}
    for code, name, short in conn.execute(
        sa.select(AdminUnit.code, AdminUnit.name, AdminUnit.short_name).where(
            AdminUnit.level == "town"
        )
    ):
        out[code] = code
        for n in (name, short):
            if n:
                out[header_key(n)] = code
    return out


def _check_row(raw: dict, towns: dict[str, str]) -> dict:
    """The account a row asks for, or InvalidInputError with the row's reason."""
    username, full_name = raw.get("username", ""), raw.get("full_name", "")
    if not full_name or len(full_name) > 100:
        raise InvalidInputError("姓名 is empty or longer than 100 characters.")
    role = ROLE_ALIASES.get(header_key(raw.get("role", "")))
    if role is None:
        raise InvalidInputError(
            f"角色 {raw.get('role', '')!r} is unknown; use 网格员, 街道(镇)安监办, "
            "区安监局 or 系统管理员."
        )
    scope_text = raw.get("scope", "")
    scope = towns.get(scope_text) or towns.get(header_key(scope_text))
    if scope_text and scope is None:
        raise InvalidInputError(
            f"所属镇街 {scope_text!r} is not a loaded town/street; use its code or "
            "name as loaded with the boundaries."
        )
    phone, note = None, None
    if role not in SCOPED_ROLES and scope_text:
        # the district roles have no town: a filled cell is ignored, and said so
        scope, note = None, "所属镇街 is ignored for a district-wide role."
    validate_user(username, role, scope)
    if raw.get("phone"):
        m = _MOBILE.match(re.sub(r"[\s-]", "", raw["phone"]))
        if m is None:
            raise InvalidInputError(
                f"手机 {raw['phone']!r} is not an 11-digit mobile number."
            )
        phone = m.group(1)
        if role != "warden":
            phone = None
            note = " ".join(filter(None, [note, "手机 is kept for wardens only."]))
    return {
        "username": username,
        "full_name": full_name,
        "role": role,
        "scope_code": scope,
        "phone": phone,
        "note": note,
    }


def import_users(
    ctx: Context,
    actor: Actor,
    path: str | Path,
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
) -> UserImportResult:
    """Create the accounts a file lists; every row created or rejected with why.

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin.
    InvalidInputError
        Unreadable file, missing columns, or more than ``max_rows`` rows.
    """
    require_role(actor, "admin", action="Importing accounts")
    result = UserImportResult()
    accepted: list[dict] = []
    with ctx.engine.connect() as conn:
        towns = _towns(conn)
        taken = set(conn.execute(sa.select(User.username)).scalars())
    for number, raw in read_user_file(path, sheet):
        if not any(raw.values()):
            result.blank += 1
            continue
        result.rows += 1
        if max_rows is not None and result.rows > max_rows:
            raise InvalidInputError(
                f"The file has more than {max_rows} accounts; split it into "
                "smaller files."
            )
        try:
            acc = _check_row(raw, towns)
            if acc["username"] in taken:
                raise InvalidInputError(
                    f"用户名 {acc['username']} already exists (in the database or "
                    "an earlier row)."
                )
        except GridwatchError as exc:
            result.rejected.append(
                {"row": number, "username": raw.get("username"), "reason": exc.user_msg}
            )
            continue
        taken.add(acc["username"])
        accepted.append({"row": number, **acc})
    _create(ctx, actor, accepted, result)
    if not result.balanced:  # every row is created or reported: never lost
        raise RuntimeError(f"user import accounting is off: {result.to_dict()}")
    return result


def _create(ctx: Context, actor: Actor, accepted: list[dict], result) -> None:
    with ctx.transaction(actor) as s:
        for acc in accepted:
            password = new_password()
            user = User(
                username=acc["username"],
                full_name=acc["full_name"],
                role=acc["role"],
                scope_code=acc["scope_code"],
                password_hash=hash_password(password),
                must_change_password=True,
            )
            s.add(user)
            if acc["role"] == "warden":
                s.flush()
                s.add(
                    Warden(
                        user_id=user.id,
                        street_code=acc["scope_code"],
                        phone=acc["phone"],
                    )
                )
            result.created.append(
                {k: v for k, v in acc.items() if k != "phone"} | {"password": password}
            )
