"""The digest's saved SQL queries (package data: one ``<name>.sql`` per query, run by ``molva.digest.queries``)."""
