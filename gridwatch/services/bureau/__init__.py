"""The bureau's use cases: its records (accidents, safety foundations, targets),
the figures of a period, the dashboard, the responsibility assessment and the
annual report. Modules are imported by name (``services.bureau.figures`` …)."""
