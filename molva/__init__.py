"""Molva's product namespace.

The ground floor every stage may import: ``molva.config`` (deployment config models), ``molva.connectors`` (the
connector registry: one entry per platform) and ``molva.privacy`` (pseudonymisation and the salt resolver), plus
``molva.records`` (the review-record contract). On top of the stages sit ``molva.digest`` (the weekly digest),
``molva.demo`` (the offline demo corpus and its server) and ``molva.cli`` (the ``molva`` command); crawlers/, nlp/ and
warehouse/ never import those, nor ``flows``.
"""
