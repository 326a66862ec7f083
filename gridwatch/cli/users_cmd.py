"""gridwatch users …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.vocab import ROLES


@click.group("users", cls=GridwatchGroup)
def users_group() -> None:
    """Accounts: wardens, street offices, the bureau and admins."""


@users_group.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name (姓名).")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--scope", "scope_code", help="Town/street code for wardens and offices.")
def add(username: str, full_name: str, role: str, scope_code: str | None) -> None:
    """Create an account; its generated password is printed once."""
    from gridwatch.services.users import add_user

    pw = add_user(open_ctx(), cli_actor(), username, full_name, role, scope_code)
    click.echo(f"Created {role} {username}; password (shown once): {pw}")


@users_group.command("set-password")
@click.argument("username")
def set_pw(username: str) -> None:
    """Give an account a new generated password (printed once)."""
    from gridwatch.services.users import set_password

    pw = set_password(open_ctx(), cli_actor(), username)
    click.echo(f"New password for {username} (shown once): {pw}")


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
        flag = "" if r["can_log_in"] else "  (no password yet)"
        click.echo(
            f"{r['role']:<14} {r['username']:<24} {r['full_name']:<10} "
            f"{r['scope_code'] or '':<10}{flag}"
        )


def register(main: click.Group) -> None:
    main.add_command(users_group)
