"""Adapters: PostgreSQL, Redis, migrations, logging. Implements the application's ports."""
