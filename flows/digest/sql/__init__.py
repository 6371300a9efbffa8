"""The digest's saved SQL queries (package data: one ``<name>.sql`` per query, run by ``flows.digest.queries``)."""
