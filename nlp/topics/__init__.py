"""Topic taxonomy, assignment to sentences, emerging-topic clustering and their warehouse storage."""
