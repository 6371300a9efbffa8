"""DuckDB warehouse: numbered migrations, idempotent loaders, staging and mart SQL."""
