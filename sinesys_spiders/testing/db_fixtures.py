"""Database fixtures: SQLite and a private PostgreSQL cluster, each built by the migrations."""
