"""Suite-wide fixtures. Each fixture family lives in ``sinesys_spiders.testing`` (shipped to plugin authors)."""

pytest_plugins = [
    "sinesys_spiders.testing.db_fixtures",
    "sinesys_spiders.testing.sandbox_fixtures",
    "sinesys_spiders.testing.canary",
    "sinesys_spiders.testing.credenciais_fixtures",
]
