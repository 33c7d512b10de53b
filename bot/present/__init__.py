"""Presentation: pure functions from query-layer models to Discord-ready replies.

Nothing here touches the network or the database. Every function returns text that is escaped,
spoiler-safe and within Discord's limits by construction (see `limits`, `text`, `reply`).
"""
