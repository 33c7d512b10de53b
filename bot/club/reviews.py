"""What a member's review is, before it is stored: their text, without invisible characters; nothing when
nothing visible remains. Escaping happens when it is shown (`bot.present.ratings`), never on the stored text."""

from __future__ import annotations

import re
import unicodedata

# Control characters (except line breaks), zero-width and bidi-control characters: invisible, or able to
# disguise text. Line breaks and tabs are kept as the member typed them.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)


def normalise(text: str | None) -> str | None:
    """The review to store: NFC, invisible characters removed, outer whitespace stripped; None when empty."""
    if text is None:
        return None
    cleaned = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip()
    return cleaned or None
