"""Item pipelines: validation, raw log, relational upsert, history. Never imports spiders."""
