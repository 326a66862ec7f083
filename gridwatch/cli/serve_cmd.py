"""gridwatch serve: the web app on Werkzeug's development server."""

from __future__ import annotations

import click

from gridwatch.cli.params import Host

HOST_HELP = "Address to listen on (127.0.0.1: this machine only)."


def serve_app(host: str, port: int, *, banner: str | None = None) -> None:
    """Open the database (never migrating it), build the app and serve it until
    Ctrl+C. For production use gunicorn (README: Web app)."""
    from gridwatch.cli.base import open_ctx
    from gridwatch.web import create_app

    ctx = open_ctx(migrate_mode="check")
    app = create_app(ctx.settings, ctx)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if banner:
        click.echo(banner)
    click.echo(f"网页 Web app: {url}  (Ctrl+C 停止 to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "Note: phones share their position only with pages served over HTTPS "
            "or from localhost; put the app behind TLS for wardens (README).",
            err=True,
        )
    app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)


@click.command("serve")
@click.option(
    "--host", type=Host(), default="127.0.0.1", show_default=True, help=HOST_HELP
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web app (development server; production: gunicorn, see README).

    The database must be at the current schema: run 'gridwatch db upgrade' first.
    """
    serve_app(host, port)


def register(main: click.Group) -> None:
    main.add_command(serve)
