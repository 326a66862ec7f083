"""Patrol planning use cases (巡查计划): make, store and read plans; plan vs done.

* :mod:`.plans` — :func:`plan_patrols` (make or regenerate a street's plan);
* :mod:`.reads` — :func:`list_plans`, :func:`plan_overview`,
  :func:`plan_progress` (plan vs done);
* :mod:`.days` — :func:`day_route` (one warden-day with its stops and map),
  :func:`warden_today` (a warden's route of the day);
* :mod:`.inputs` — what a plan reads (enterprises, inspections, hazards,
  campaigns, wardens, bases), scope in SQL;
* :mod:`.store` — writing a plan.

The rules themselves are the pure :mod:`gridwatch.patrol` package's.
"""

from gridwatch.services.patrol.days import day_route, warden_today
from gridwatch.services.patrol.plans import plan_patrols
from gridwatch.services.patrol.reads import list_plans, plan_overview, plan_progress

__all__ = [
    "day_route",
    "list_plans",
    "plan_overview",
    "plan_patrols",
    "plan_progress",
    "warden_today",
]
