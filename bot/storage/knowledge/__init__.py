"""The knowledge database: what the bot knows about each film, built from documents by bot/ingest.

    schema.py    the tables, the schema version, film keys, connections (the one home of the schema)
    records.py   what the builder hands in for one film (named, typed records)
    writer.py    the one write path: a film in or out, one transaction each
    reader.py    `Knowledge`: the films in memory, per-film caches, freshness across processes
    scoped.py    `GuildKnowledge`: one server's view (shared films + its own), every query a member can ask
    queries.py   one film's answers, as plain functions of a connection

Use: `knowledge = await Knowledge.open(path)`, then per interaction
`view = knowledge.for_guild(interaction.guild_id)` and `await view.resolve_film(text)`,
`await view.overview(ref.slug)`, `await view.search(query)`, ... (None for a DM or the console: shared films).
"""

from bot.storage.knowledge.reader import Knowledge
from bot.storage.knowledge.scoped import MAX_QUERY, GuildKnowledge, fts_query

__all__ = ["MAX_QUERY", "GuildKnowledge", "Knowledge", "fts_query"]
