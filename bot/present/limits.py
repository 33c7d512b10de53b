"""Discord's size limits, in characters (Unicode code points, which is what Python's len counts)."""

from __future__ import annotations

CONTENT = 2000  # message content

EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000  # title + description + field names/values + footer + author, across all embeds
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256

AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

CUSTOM_ID = 100
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
SELECT_OPTION_VALUE = 100
SELECT_OPTION_DESCRIPTION = 100
