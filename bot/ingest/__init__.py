"""Ingest: documents -> knowledge database. Offline, deterministic, pure parsing functions."""
