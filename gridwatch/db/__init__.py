"""Database: engine, ORM models, queries and migrations (SpatiaLite or PostGIS)."""
