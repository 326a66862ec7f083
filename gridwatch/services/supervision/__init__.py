"""Supervision use cases: hazards, to-do and lists, penalties, self-reports,
tip-offs and campaigns (the services behind issue 10's pages, CLI and demo).

Every function takes ``ctx, actor`` (except the public :func:`submit_tipoff`),
filters by the actor's scope in SQL, runs one transaction per use case and leaves
the domain rules to :mod:`gridwatch.supervision`. Return shapes are in each
docstring and in ``docs/supervision.md``.
"""

from gridwatch.services.supervision.campaign_export import export_campaign_xlsx
from gridwatch.services.supervision.campaigns import (
    campaign_progress,
    create_campaign,
    list_campaigns,
    show_campaign,
)
from gridwatch.services.supervision.common import (
    ACTING_ROLES,
    Page,
    acting_role,
    actor_for_user,
)
from gridwatch.services.supervision.hazard_acts import (
    create_hazard,
    delist_hazard,
    extend_deadline,
    list_hazard,
    transition_hazard,
)
from gridwatch.services.supervision.hazard_list import (
    ACTION_FIELDS,
    list_hazards,
    show_hazard,
)
from gridwatch.services.supervision.penalties import (
    PENALTY_HEADERS,
    add_penalty,
    import_penalties,
    list_penalties,
    penalty_totals_by,
)
from gridwatch.services.supervision.selfreports import (
    SELF_REPORT_HEADERS,
    import_self_reports,
)
from gridwatch.services.supervision.sheets import ImportResult, Reject
from gridwatch.services.supervision.tipoff_triage import show_tipoff, triage_tipoff
from gridwatch.services.supervision.tipoffs import (
    PUBLIC,
    list_tipoffs,
    submit_tipoff,
    tipoff_photo,
)
from gridwatch.services.supervision.worklists import (
    listed_hazards,
    missing_reports,
    overdue_hazards,
    supervision_todo,
)

__all__ = [
    "ACTING_ROLES",
    "ACTION_FIELDS",
    "PENALTY_HEADERS",
    "PUBLIC",
    "SELF_REPORT_HEADERS",
    "ImportResult",
    "Page",
    "Reject",
    "acting_role",
    "actor_for_user",
    "add_penalty",
    "campaign_progress",
    "create_campaign",
    "create_hazard",
    "delist_hazard",
    "export_campaign_xlsx",
    "extend_deadline",
    "import_penalties",
    "import_self_reports",
    "list_campaigns",
    "list_hazard",
    "list_hazards",
    "list_penalties",
    "list_tipoffs",
    "listed_hazards",
    "missing_reports",
    "overdue_hazards",
    "penalty_totals_by",
    "show_campaign",
    "show_hazard",
    "show_tipoff",
    "submit_tipoff",
    "supervision_todo",
    "tipoff_photo",
    "transition_hazard",
    "triage_tipoff",
]
