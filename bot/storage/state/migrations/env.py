"""Alembic's entry point: run the migrations on the connection that `versioning` passes in (online), or
print them as SQL for a URL (offline, `alembic ... --sql`)."""

from __future__ import annotations

from alembic import context

from bot.storage.state.store import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
else:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; autogenerate writes batch operations
        compare_type=True,
    )

with context.begin_transaction():
    context.run_migrations()
