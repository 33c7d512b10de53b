"""Alembic migrations of the state database (env.py, the revision template, versions/). Package data: a
non-editable install ships them. Run through `bot.storage.state.versioning`, never through alembic.ini."""
