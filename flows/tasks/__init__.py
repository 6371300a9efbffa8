"""Small typed Prefect tasks the flows compose: crawl one source, enrich, build marts, check quality, record the run.

Task logic lives in plain functions (``task.fn``) so tests call it directly; retries sit only where the network or
the database can fail.
"""
