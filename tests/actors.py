"""Actors for tests: the command line's ``system`` actor and helpers for roles."""

from gridwatch.services.actor import Actor

SYSTEM = Actor(username="test", role="system")
