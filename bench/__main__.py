"""`python -m bench` (`make bench`): the interaction benchmark with its defaults; arguments are passed on.

The ingest benchmark is separate: `python -m bench.ingest`.
"""

from __future__ import annotations

from bench.interactions import main

raise SystemExit(main())
