"""gridwatch: grid-based work-safety supervision (安全生产网格化监管)."""

__version__ = "0.1.0"
