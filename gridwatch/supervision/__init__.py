"""The supervision loop as pure domain code (no Flask, SQLAlchemy, db or services).

Modules:

* :mod:`.lifecycle` — the hazard state machine 排查 → 整改 → 复查 → 销号 and
  挂牌 / 摘牌 (SAWS Order No. 16, 2007); records in :mod:`.records`, the role and
  state table in :mod:`.rules`, listing in :mod:`.listing`;
* :mod:`.history` — run a transition by name, and replay a stored event history;
* :mod:`.deadlines` — default deadlines by level, overdue derived from the date;
* :mod:`.campaigns` — special campaigns (专项整治): targets and progress;
* :mod:`.selfreports` — monthly self-inspection reports (自查自报);
* :mod:`.tipoffs` — public tip-offs (群众举报 / 随手拍): triage and escalation;
* :mod:`.penalties` — penalty records and the one rule for their totals.

Services store one event row per transition and the current state on the record
row; they decide scope (grids, street, district) and pass it as ``in_scope`` so the
refusal sentence is made here.
"""

from gridwatch.supervision.campaigns import (
    PRESETS,
    CampaignSpec,
    Selector,
    enterprise_progress,
    is_running,
    outstanding,
    preset_spec,
    progress,
    select_targets,
)
from gridwatch.supervision.deadlines import (
    DEFAULT_DEADLINE_DAYS,
    days_left,
    days_overdue,
    deadline_days,
    default_deadline,
    is_overdue,
    overdue_flags,
    rectified_on_time,
)
from gridwatch.supervision.figures import Rate
from gridwatch.supervision.history import action_for, perform, replay
from gridwatch.supervision.lifecycle import (
    discover,
    extend_deadline,
    record_rectification,
    rectify_on_spot,
    reinspect,
    start_rectification,
)
from gridwatch.supervision.listing import delist, list_hazard
from gridwatch.supervision.penalties import Penalty, penalty_totals, validate_penalty
from gridwatch.supervision.records import (
    CLOSED,
    FOUND,
    OPEN_STATES,
    RECTIFIED,
    RECTIFYING,
    STATES,
    UNRECTIFIED_STATES,
    Hazard,
    HazardEvent,
    Listing,
    Transition,
)
from gridwatch.supervision.rules import RULES, ActionRule, allowed_actions
from gridwatch.supervision.selfreports import (
    due_date,
    non_reporters,
    report_rate,
    report_rates_by,
    report_status,
)
from gridwatch.supervision.tipoffs import (
    DEFAULT_ESCALATION_DAYS,
    TIPOFF_STATES,
    Tipoff,
    TipoffEvent,
    TipoffTransition,
    convert_to_hazard,
    dismiss,
    escalation_date,
    is_escalated,
    refer,
    tipoff_actions,
)

__all__ = [
    "CLOSED",
    "DEFAULT_DEADLINE_DAYS",
    "DEFAULT_ESCALATION_DAYS",
    "FOUND",
    "OPEN_STATES",
    "PRESETS",
    "RECTIFIED",
    "RECTIFYING",
    "RULES",
    "STATES",
    "TIPOFF_STATES",
    "UNRECTIFIED_STATES",
    "ActionRule",
    "CampaignSpec",
    "Hazard",
    "HazardEvent",
    "Listing",
    "Penalty",
    "Rate",
    "Selector",
    "Tipoff",
    "TipoffEvent",
    "TipoffTransition",
    "Transition",
    "action_for",
    "allowed_actions",
    "convert_to_hazard",
    "days_left",
    "days_overdue",
    "deadline_days",
    "default_deadline",
    "delist",
    "discover",
    "dismiss",
    "due_date",
    "enterprise_progress",
    "escalation_date",
    "extend_deadline",
    "is_escalated",
    "is_overdue",
    "is_running",
    "list_hazard",
    "non_reporters",
    "outstanding",
    "overdue_flags",
    "penalty_totals",
    "perform",
    "preset_spec",
    "progress",
    "record_rectification",
    "rectified_on_time",
    "rectify_on_spot",
    "refer",
    "reinspect",
    "replay",
    "report_rate",
    "report_rates_by",
    "report_status",
    "select_targets",
    "start_rectification",
    "tipoff_actions",
    "validate_penalty",
]
