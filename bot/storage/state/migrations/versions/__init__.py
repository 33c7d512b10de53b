"""One file per revision. Alembic ignores this __init__; it makes setuptools ship the folder."""
