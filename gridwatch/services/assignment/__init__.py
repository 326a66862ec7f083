"""Assignment use cases: enterprise → grid → warden, as effective-dated rows.

One module per use case; every public name is importable from here:

* :mod:`~gridwatch.services.assignment.enterprises` — enterprise → grid
  (:func:`assign_enterprises_to_grids`, :func:`assign_session`,
  :func:`locate_enterprises`, :func:`grid_index`);
* :mod:`~gridwatch.services.assignment.wardens` — grid → warden
  (:func:`assign_wardens`, :func:`assign_wardens_session`,
  :func:`previous_enterprise_wardens`);
* :mod:`~gridwatch.services.assignment.manual` — a person's choices: overrides and
  deputies (:func:`set_override`, :func:`set_deputy`);
* :mod:`~gridwatch.services.assignment.lookups` — who is responsible
  (:func:`responsible_on`, :func:`enterprise_grids_on`,
  :func:`enterprise_wardens_on`), :func:`list_wardens`, :func:`list_unplaced`.
"""

from gridwatch.services.assignment.enterprises import (
    assign_enterprises_to_grids,
    assign_session,
    grid_index,
    locate_enterprises,
)
from gridwatch.services.assignment.lookups import (
    enterprise_grids_on,
    enterprise_wardens_on,
    list_unplaced,
    list_wardens,
    responsible_on,
)
from gridwatch.services.assignment.manual import set_deputy, set_override
from gridwatch.services.assignment.wardens import (
    assign_wardens,
    assign_wardens_session,
    previous_enterprise_wardens,
)

__all__ = [
    "assign_enterprises_to_grids",
    "assign_session",
    "assign_wardens",
    "assign_wardens_session",
    "enterprise_grids_on",
    "enterprise_wardens_on",
    "grid_index",
    "list_unplaced",
    "list_wardens",
    "locate_enterprises",
    "previous_enterprise_wardens",
    "responsible_on",
    "set_deputy",
    "set_override",
]
