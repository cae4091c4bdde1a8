"""Persistence helpers of the upsert (:mod:`sinesys_spiders.core.upsert`): Tribunal catalogues."""
