"""Build the demo district into the database, the way a bureau's data would arrive.

* :mod:`~gridwatch.services.demo.pipeline` — :func:`build_demo`: the steps in order,
  in one transaction, timed;
* :mod:`~gridwatch.services.demo.steps` — one function per step, each calling the
  real use case (boundaries, gazetteer, accounts, registry import, geocoding, grids,
  assignment) or, where a use case is built for one record at a time, a bulk path
  that says why;
* :mod:`~gridwatch.services.demo.activity` — two years of generated inspections,
  hazards, penalties and self-reports, stored in bulk;
* :mod:`~gridwatch.services.demo.summary` — :func:`format_summary`.
"""

from gridwatch.services.demo.pipeline import build_demo
from gridwatch.services.demo.summary import format_summary

__all__ = ["build_demo", "format_summary"]
