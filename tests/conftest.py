"""Fixtures for the whole suite: the throwaway PostgreSQL server (tests/postgres.py)."""

pytest_plugins = ("tests.postgres",)
