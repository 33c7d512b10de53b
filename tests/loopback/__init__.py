"""Tests of the offline Discord (bot.offline) and the tests' side of it: the OpenAPI checker and the
sitecustomize that points a bot subprocess at it."""

from pathlib import Path

SITECUSTOMIZE = Path(__file__).resolve().parent / "sitecustomize"
