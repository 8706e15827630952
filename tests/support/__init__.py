"""Test-only plumbing: where the real PostgreSQL and Redis of a test run come from."""
