"""gridwatch users …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import ROW_ID
from gridwatch.vocab import ROLES


@click.group("users", cls=GridwatchGroup)
def users_group() -> None:
    """Accounts: wardens, street offices, the bureau and admins."""


@users_group.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name (姓名).")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--scope", "scope_code", help="Town/street code for wardens and offices.")
@click.option("--phone", help="Mobile phone (wardens).")
def add(
    username: str, full_name: str, role: str, scope_code: str | None, phone: str | None
) -> None:
    """Create an account; its generated password is printed once and must be
    changed at the first sign-in."""
    from gridwatch.services.users import add_user

    pw = add_user(
        open_ctx(), cli_actor(), username, full_name, role, scope_code, phone=phone
    )
    click.echo(f"Created {role} {username}; password (shown once): {pw}")


@users_group.command("set-password")
@click.argument("username")
def set_pw(username: str) -> None:
    """Give an account a new generated password (printed once; the user must
    change it at the next sign-in, and their open sessions end)."""
    from gridwatch.services.users import set_password

    pw = set_password(open_ctx(), cli_actor(), username)
    click.echo(f"New password for {username} (shown once): {pw}")


@users_group.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Stop an account from signing in (its open sessions end; kept for history)."""
    from gridwatch.services.users import set_active

    set_active(open_ctx(), cli_actor(), username, False)
    click.echo(f"Deactivated {username}.")


@users_group.command("reactivate")
@click.argument("username")
def reactivate(username: str) -> None:
    """Let a deactivated account sign in again."""
    from gridwatch.services.users import set_active

    set_active(open_ctx(), cli_actor(), username, True)
    click.echo(f"Reactivated {username}.")


@users_group.command("list")
@click.option("--role", type=click.Choice(list(ROLES)))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(role: str | None, as_json: bool) -> None:
    """List accounts."""
    from gridwatch.services.users import list_users

    rows = list_users(open_ctx(), cli_actor(), role)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        flags = [
            "" if r["can_log_in"] else "no password yet",
            "" if r["is_active"] else "deactivated",
            "must change password" if r["must_change_password"] else "",
        ]
        flag = ", ".join(f for f in flags if f)
        click.echo(
            f"{r['role']:<14} {r['username']:<24} {r['full_name']:<10} "
            f"{r['scope_code'] or '':<10}{'  (' + flag + ')' if flag else ''}"
        )


@users_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", help="XLSX sheet name (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_cmd(file: str, sheet: str | None, as_json: bool) -> None:
    """Create accounts from an XLSX/CSV file with the headers 用户名, 姓名, 角色,
    所属镇街, 手机. Every row is created or rejected with its reason; the generated
    passwords are printed once. Exits 3 when any row was rejected (like the
    registry import)."""
    from gridwatch.services.user_import import import_users

    result = import_users(open_ctx(), cli_actor(), file, sheet=sheet)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(
            f"{result.rows} rows: {len(result.created)} created, "
            f"{len(result.rejected)} rejected"
            + (f", {result.blank} blank skipped" if result.blank else "")
        )
        if result.created:
            click.echo("Created (passwords shown once; each must be changed):")
        for r in result.created:
            note = f"  ({r['note']})" if r.get("note") else ""
            click.echo(
                f"  row {r['row']}: {r['role']:<14} {r['username']:<20} "
                f"{r['password']}{note}"
            )
        for r in result.rejected:
            click.echo(f"  row {r['row']} rejected ({r['username']}): {r['reason']}")
    if result.rejected:
        raise SystemExit(3)  # some rows were not created: a script must notice


@users_group.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (a script name).")
def token_cmd(username: str, name: str) -> None:
    """Create a personal API token for USERNAME (printed once; send it as
    'Authorization: Bearer TOKEN')."""
    from gridwatch.services.tokens import create_token

    tok = create_token(open_ctx(), cli_actor(), username, name)
    click.echo(f"API token {tok['prefix']} for {username} (shown once): {tok['token']}")


@users_group.command("revoke-token")
@click.argument("token_id", type=ROW_ID)
def revoke_cmd(token_id: int) -> None:
    """Revoke an API token by its id."""
    from gridwatch.services.tokens import revoke_token

    revoke_token(open_ctx(), cli_actor(), token_id)
    click.echo(f"Revoked API token {token_id}.")


def register(main: click.Group) -> None:
    main.add_command(users_group)
