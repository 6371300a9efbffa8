"""Prefect flows, the ``molva`` CLI, configuration and the digest renderer."""
