"""The ``gridwatch`` command line.

Every command has ``--help``; every error exits non-zero with one line saying what
is wrong and what to do (a :class:`GridwatchError` becomes a ``ClickException``).
"""

from __future__ import annotations

import click

from gridwatch import __version__
from gridwatch.cli import (
    assign_cmd,
    boundaries_cmd,
    enterprises_cmd,
    geocode_cmd,
    grids_cmd,
    hazards_cmd,
    map_cmd,
    patrol_cmd,
    serve_cmd,
    supervision_cmd,
    users_cmd,
    vocab_cmd,
)
from gridwatch.cli.base import GridwatchGroup
from gridwatch.cli.config_cmd import config_group
from gridwatch.cli.db_cmd import db_group
from gridwatch.cli.demo_cmd import demo


@click.group(
    cls=GridwatchGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="gridwatch")
def main() -> None:
    """gridwatch: grid-based work-safety supervision (安全生产网格化监管).

    Settings come from GRIDWATCH_* environment variables (see 'gridwatch config
    show'); the default database is a SpatiaLite file in GRIDWATCH_DATA_DIR.
    """


main.add_command(config_group)
main.add_command(db_group)
main.add_command(demo)
for _module in (
    users_cmd,
    boundaries_cmd,
    grids_cmd,
    enterprises_cmd,
    geocode_cmd,
    assign_cmd,
    map_cmd,
    serve_cmd,
    hazards_cmd,
    supervision_cmd,
    vocab_cmd,
    patrol_cmd,
):
    _module.register(main)
