"""The labels of an infobox's rows, however a page spells them: which field each names, and which other
labels stand in infoboxes (so that a row ends where the next label begins).

Shared by the shapes (which read rows as text) and the extractors (which read facts from the rows).
"""

from __future__ import annotations

import re

INFOBOX_FIELDS: dict[str, str] = {
    "director": "director",
    "directed by": "director",
    "direction": "director",
    "producer": "producers",
    "produced by": "producers",
    "writer": "writers",
    "written by": "writers",
    "screenplay by": "writers",
    "screenplay": "writers",
    "screenwriter": "writers",
    "story by": "writers",
    "music": "composer",
    "music by": "composer",
    "original music": "composer",
    "original music by": "composer",
    "score": "composer",
    "score by": "composer",
    "composer": "composer",
    "cinematography": "cinematographer",
    "cinematography by": "cinematographer",
    "cinematographer": "cinematographer",
    "director of photography": "cinematographer",
    "photography": "cinematographer",
    "editing": "editor",
    "edited by": "editor",
    "editing by": "editor",
    "film editing": "editor",
    "film editing by": "editor",
    "editor": "editor",
    "production company": "companies",
    "production": "companies",
    "studio": "companies",
    "distributor": "distributor",
    "distributed by": "distributor",
    "distribution": "distributor",
    "released": "release_date",
    "release": "release_date",
    "release date": "release_date",
    "premiere": "premiere_date",
    "runtime": "runtime",
    "running time": "runtime",
    "run time": "runtime",
    "length": "runtime",
    "duration": "runtime",
    "country": "country",
    "country of origin": "country",
    "language": "language",
    "original language": "language",
    "genre": "genre",
    "year": "year",
    "release year": "year",
}


def infobox_field(label: str) -> str | None:
    """The field an infobox label names, however it is spelled: 'Release date(s)', 'Producers', 'Production
    companies', 'Directed by:', 'Film editing'."""
    key = re.sub(r"\((?:s|es)\)", "s", label.lower())
    key = " ".join(re.sub(r"[^a-z ]+", " ", key).split())
    if key in INFOBOX_FIELDS:
        return INFOBOX_FIELDS[key]
    singular = " ".join(
        re.sub(r"(?<=[a-z]{3})(?:ies|s)$", lambda m: "y" if m.group(0) == "ies" else "", w)
        for w in key.split()
    )
    return INFOBOX_FIELDS.get(singular)


# Labels that stand in film infoboxes without naming a field of ours: a row under them still ends the row
# above (its values are the credits, a book, money). Plurals of the field labels are read by `infobox_field`.
OTHER_LABELS = frozenset(
    {
        "starring",
        "based on",
        "narrated by",
        "budget",
        "box office",
        "executive producer",
        "executive producers",
    }
)
# A label is a few words: "Original music by", "Production companies".
LABEL_MAX_WORDS = 4


def is_label(line: str) -> bool:
    """Whether a line standing alone is an infobox label ("Directed by", "Production companies", "Starring")."""
    text = line.strip()
    if not text or len(text.split()) > LABEL_MAX_WORDS or not text[0].isupper():
        return False
    key = " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())
    return key in OTHER_LABELS or infobox_field(text) is not None
