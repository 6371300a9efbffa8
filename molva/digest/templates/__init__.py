"""Jinja2 templates of the digest (package data)."""
