"""Use cases: the only place that joins domain code to the database."""
