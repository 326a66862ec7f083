"""The vocabulary and the supervision package name the same states and actions."""

from gridwatch import vocab
from gridwatch.supervision import PRESETS, RULES, STATES, TIPOFF_STATES


def test_hazard_statuses_are_the_machine_states():
    assert list(vocab.HAZARD_STATUSES) == list(STATES)
    assert "overdue" not in vocab.HAZARD_STATUSES  # derived, never a state
    assert "overdue" in vocab.HAZARD_FLAGS


def test_legacy_statuses_map_into_states():
    assert set(vocab.LEGACY_HAZARD_STATUSES) == set(vocab.LEGACY_HAZARD_STATUS_LABELS)
    assert set(vocab.LEGACY_HAZARD_STATUSES.values()) <= set(STATES)
    assert vocab.LEGACY_HAZARD_STATUSES["overdue"] == "rectifying"


def test_actions_tipoffs_and_campaigns_are_labelled():
    assert set(vocab.HAZARD_ACTIONS) == set(RULES)
    assert list(vocab.TIPOFF_STATUSES) == list(TIPOFF_STATES)
    assert set(vocab.CAMPAIGNS) == set(PRESETS)
    assert set(vocab.ACTOR_ROLES) == set(vocab.ROLES) | {"enterprise"}
    assert "enterprise" not in vocab.ROLES  # not a login role
