"""Shared value parsing: dates, durations, names and lists of names, and the keys votes compare.

Every extractor reads values through these functions, so "Eric C. Charmelo" and "Eric Charmelo" are one
person everywhere, and "May 24, 2019", "24 May 2019" and "2019-05-24" one date.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

MONTHS = ("January February March April May June July August September October November December").split()
# A month as the web writes it: in full, or cut to three letters with or without a full stop ("Sept." too).
_MONTH = "(?:" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)(?![a-z])"
_DAY_NAME = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\.?),?\s+)?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# "May 24, 2019", "May 24th, 2019", "24 May 2019", "24th of May, 2019", "Sept. 6, 2019", "2019-05-24",
# "2019/05/24", "05/24/2019" and "24.05.2019" (numeric orders only where the numbers leave no doubt, see
# `iso_date`), optionally after a day name.
DATE = (
    rf"{_DAY_NAME}(?:(?:the\s+)?(?:{_MONTH})\s+{_DAY},?\s+\d{{4}}|(?:the\s+)?{_DAY}(?:\s+of)?\s+(?:{_MONTH}),?\s+\d{{4}}"
    rf"|\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}})"
)
_NAMED_MONTH = re.compile(_MONTH, re.IGNORECASE)
UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
NAME_TOKEN = rf"(?:[{UPPER}][\w.'’&-]*|d'[{UPPER}][\w'-]*)"
# A person's name: two to four capitalised words ("J. K. Simmons" is four tokens).
NAME = rf"{NAME_TOKEN}(?:[ ](?:(?:de|van|von|der|da|di|del|le|la)[ ])?{NAME_TOKEN}){{1,3}}"
# Words of an organisation's name may also be ordinals or numbers ("20th Century Fox", "21 Laps"), or two
# names joined by a slash ("The Kennedy/Marshall Company").
_ORG_WORD = rf"(?:{NAME_TOKEN}(?:/{NAME_TOKEN})*)"
_ORG_TOKEN = rf"(?:{_ORG_WORD}|\d+(?:st|nd|rd|th)\b|\d{{2,}}\b)"
# An organisation: capitalised words, possibly joined by "&", "and", "of" or "the" ("Right of Way Films",
# "The Globe and Mail"). Lists of several are split by `split_names`.
ORG = rf"{_ORG_TOKEN}(?:[ ](?:(?:&|and)[ ]{_ORG_TOKEN}|(?:(?:of|the|de)[ ])*{_ORG_WORD}))*"
SELF = frozenset({"himself", "herself", "themselves"})


def _month(name: str) -> int | None:
    low = name.lower().rstrip(".")
    return next(
        (i + 1 for i, m in enumerate(MONTHS) if m.lower().startswith(low[:3]) and len(low) >= 3), None
    )


def iso_date(text: str) -> str | None:
    """Any date `DATE` matches -> 'YYYY-MM-DD'; None for anything else. Numeric dates are read day-first or
    month-first only where one of the two numbers is above 12 ('05/24/2019', '24.05.2019'); '05/06/2019'
    could be either, and is not read."""
    text = re.sub(rf"^{_DAY_NAME}", "", text.strip())
    text = re.sub(r"^the\s+", "", text)
    day = month = year = 0
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    n = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif n:
        a, b, year = int(n.group(1)), int(n.group(2)), int(n.group(3))
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            day, month = b, a
        else:
            return None
    else:
        words = re.fullmatch(
            rf"({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", text
        ) or re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH}),?\s+(\d{{4}})", text)
        if not words:
            return None
        first, second = words.group(1), words.group(2)
        name, number = (first, second) if _NAMED_MONTH.fullmatch(first) else (second, first)
        month, day, year = _month(name) or 0, int(number), int(words.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def show_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{MONTHS[int(month) - 1]} {int(day)}, {year}"


_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
)
_TENS = "twenty thirty forty fifty".split()
# A number as digits or in words ("two", "twenty-two", "an" hour), up to the minutes of an hour.
_NUMBER = (
    rf"\d{{1,3}}|an?|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?|{'|'.join(reversed(_UNITS))}"
)
_HOURS = re.compile(
    rf"\b({_NUMBER})[ ]?(?:hours?|hrs?|h)(?![a-z])\.?(?:,?[ ]*(?:and[ ]*)?({_NUMBER})[ ]?(?:minutes?|mins?|m)\b\.?)?",
    re.I,
)
_MINUTES = re.compile(r"\b(\d{2,3})[ ]?(?:minutes?|mins?|m)\b\.?", re.I)
# Feature films run from about an hour to a few hours; a number outside this is something else.
RUNTIME_MINUTES = range(40, 301)


def number(word: str) -> int:
    """'22', 'twenty-two', 'two', 'an' -> the number (0 for anything else)."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word in {"a", "an"}:
        return 1
    parts = re.split(r"[- ]", word)
    total = 0
    for part in parts:
        if part in _TENS:
            total += 20 + 10 * _TENS.index(part)
        elif part in _UNITS:
            total += _UNITS.index(part)
    return total


def minutes(text: str) -> tuple[int, re.Match[str]] | None:
    """The first running time in text: '107 minutes', '118 min.', '1 hour 47 minutes', '2h 10m', '1h 51m',
    'two hours and 22 minutes', 'an hour and forty minutes'."""
    found: list[tuple[int, int, re.Match[str]]] = []
    for m in _HOURS.finditer(text):
        total = number(m.group(1)) * 60 + number(m.group(2) or "0")
        found.append((m.start(), total, m))
    for m in _MINUTES.finditer(text):
        if not any(start <= m.start() < h.end() for start, _, h in found):
            found.append((m.start(), int(m.group(1)), m))
    for _, total, m in sorted(found, key=lambda item: item[0]):
        if total in RUNTIME_MINUTES:
            return total, m
    return None


@functools.lru_cache(maxsize=8192)  # a film's names, compared again and again
def person_key(name: str) -> str:
    """'Eric C. Charmelo' and 'Eric Charmelo' are one person: first and last word, lower-cased."""
    tokens = [t for t in re.findall(r"[\w'’-]+", name.lower()) if t not in {"jr", "sr"}]
    if not tokens:
        return ""
    return tokens[0] if len(tokens) == 1 else f"{tokens[0]} {tokens[-1]}"


def surname(name: str) -> str:
    key = person_key(name)
    return key.split(" ")[-1] if key else ""


@functools.lru_cache(maxsize=8192)
def plain_key(text: str) -> str:
    """Lower-cased words only: what two spellings of one title or company share."""
    return " ".join(re.findall(r"\w+", text.lower().replace("&", " and ")))


def split_names(text: str, *, companies: bool = False) -> list[str]:
    """'A, B and C' -> [A, B, C]; parenthesised notes are dropped.

    People: '&' separates ('Joel & Ethan Coen' is a writing team). Companies: an unspaced '&' is part of a
    name ('Barunson E&A'), and so is a spaced one between two single words ('Procter & Gamble'); a spaced
    '&' between longer names separates them ('Blumhouse Productions & Right of Way Films')."""
    text = re.sub(r"\s*\((?:[^)]*)\)", "", text).strip().rstrip(".")
    parts = re.split(r",\s*(?:and\s+|&\s+)?|\s+and\s+|;\s*|\s*\n\s*", text)
    out: list[str] = []
    for part in (p.strip() for p in parts):
        pieces = re.split(r"\s+&\s+", part)
        if companies and (len(pieces) == 1 or all(" " not in piece for piece in pieces)):
            pieces = [part]
        out += [p for p in (piece.strip() for piece in pieces) if p]
    return out


# Words that make a name a company's ("Plan B Entertainment", "Lava Bear Films"); a name with a digit or an
# ampersand ("A24", "21 Laps", "Barunson E&A") is one too.
_COMPANY = re.compile(
    r"\b(?:Pictures|Films?|Productions?|Entertainment|Studios?|Media|Company|Co|Corporation|Corp|Inc|LLC|Ltd"
    r"|Partners(?:hip)?|Group|Features|Releasing|Distribution|Animation|Television|Network|Records|Enterprises"
    r"|Industries|Holdings|Classics|Cinema|Pictures|Bros)\b\.?|\d|&"
)


def company_like(name: str) -> bool:
    """'Plan B Entertainment', 'A24': a company's name rather than a person's."""
    return bool(_COMPANY.search(name))


def names_key(names: list[str], key: Callable[[str], str] = person_key) -> str:
    return "|".join(sorted({key(n) for n in names if key(n)}))


@functools.lru_cache(maxsize=256)
def slug_pattern(slug: str) -> re.Pattern[str] | None:
    """A film folder's name ("mad-max-fury-road") as the documents may spell it ("Mad Max: Fury Road")."""
    parts = [p for p in re.split(r"[\W_]+", slug.lower()) if p]
    if parts and re.fullmatch(r"(?:19|20)\d{2}", parts[-1]) and len(parts) > 1:
        parts = parts[:-1]  # "alien-1979": the year is not part of the title
    if not parts:
        return None
    title = r"[\W_]+".join(re.escape(p) for p in parts)
    # A folder name usually drops a leading article: "grand-budapest-hotel" is "The Grand Budapest Hotel".
    return re.compile(rf"(?<![\w])(?:(?:the|a|an) )?{title}(?![\w])", re.IGNORECASE)


def trim_stop(name: str) -> str:
    """A value as read, without the full stop of the sentence it ended ("South Korea.", but "Jr.")."""
    return re.sub(r"(?<=[a-z]{2})\.$", "", name.strip())


def full_name(text: str, name: str) -> str:
    """'Shepard' in a list means the person the text names in full elsewhere ('Richard Shepard')."""
    if " " in name or not name[:1].isupper():
        return name
    m = re.search(rf"\b([A-Z][\w'-]+(?: (?:[A-Z]\.|[A-Z][\w'-]+))* {re.escape(name)})\b", text)
    return m.group(1) if m else name


# Where a film is released: the world's countries, and the usual ways of writing a few of them. A dated
# showing at a place that is none of these (a festival, a theatre) is a premiere.
COUNTRIES = frozenset(
    " ".join(n.split())
    for n in """afghanistan, albania, algeria, andorra, angola, argentina, armenia, australia, austria, azerbaijan,
    bahamas, bahrain, bangladesh, barbados, belarus, belgium, belize, benin, bhutan, bolivia, bosnia and
    herzegovina, botswana, brazil, brunei, bulgaria, burkina faso, burundi, cambodia, cameroon, canada, cape verde,
    chad, chile, china, colombia, comoros, congo, costa rica, croatia, cuba, cyprus, czech republic, czechia,
    denmark, djibouti, dominica, dominican republic, ecuador, egypt, el salvador, estonia, eswatini, ethiopia,
    fiji, finland, france, gabon, gambia, georgia, germany, ghana, greece, grenada, guatemala, guinea, guyana,
    haiti, honduras, hong kong, hungary, iceland, india, indonesia, iran, iraq, ireland, israel, italy, ivory
    coast, jamaica, japan, jordan, kazakhstan, kenya, kosovo, kuwait, kyrgyzstan, laos, latvia, lebanon, lesotho,
    liberia, libya, liechtenstein, lithuania, luxembourg, macau, madagascar, malawi, malaysia, maldives, mali,
    malta, mauritania, mauritius, mexico, moldova, monaco, mongolia, montenegro, morocco, mozambique, myanmar,
    namibia, nepal, netherlands, new zealand, nicaragua, niger, nigeria, north korea, north macedonia, norway,
    oman, pakistan, palestine, panama, papua new guinea, paraguay, peru, philippines, poland, portugal, puerto
    rico, qatar, romania, russia, rwanda, saudi arabia, senegal, serbia, singapore, slovakia, slovenia, somalia,
    south africa, south korea, korea, spain, sri lanka, sudan, suriname, sweden, switzerland, syria, taiwan,
    tajikistan, tanzania, thailand, togo, trinidad and tobago, tunisia, turkey, turkmenistan, uganda, ukraine,
    united arab emirates, united kingdom, united states, uruguay, uzbekistan, venezuela, vietnam, yemen, zambia,
    zimbabwe, us, usa, u s, uk, u k, uae, united states of america, america, england, scotland, wales, worldwide,
    international, europe, north america, latin america""".replace("\n", " ").split(",")
)


def is_country(place: str) -> bool:
    """'United States', 'UK', 'South Korea' (or a list of them): a place a film is released in."""
    parts = [" ".join(plain_key(p).split()) for p in re.split(r",|/|;", place) if p.strip()]
    return bool(parts) and all(" ".join(p.split()) in COUNTRIES for p in parts)
