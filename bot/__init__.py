"""Film club Discord bot: ingest documents, answer questions, run movie nights."""
