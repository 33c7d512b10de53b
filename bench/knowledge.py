"""Knowledge grader: what the bot learns from each fixture film's documents, against answers written first.

    python -m bench.knowledge [FOLDER ...] [--answers DIR] [--strict] [--quiet]

With no FOLDER, every folder in `tests/fixtures/films/` and `data/films/the-perfection` is graded. Each film is
built ALONE into a temporary knowledge database (`bot.ingest.build.build`), asked everything through
`bot.storage.knowledge.Knowledge`, and every answer is rendered with `bot.present.film` as the bot sends it.
What is SHOWN is graded (content, embed titles, descriptions, field names and values, footers, autocomplete
choices), plus the typed values behind the facts. A film's answers are `DIR/<folder name>.toml` (default
`tests/fixtures/answers/`); a folder without answers is described (title, year, director, credits, plot
beats, disputed facts, warnings) but not graded. Exit 0, or with `--strict` 1 unless every graded film is
perfect.

Per film and in total it prints: expected facts right / wrong / missing, plot events told / expected,
inventions or garbles shown, spoilers readable outside tags; then every problem, one readable line each.

The answers format is `/work/notes/fixture-format.md` (shared with the other fixture writer). This grader
adds two OPTIONAL keys:

* `[plot] not_beats = ["Here is a short review", "Will she escape?"]`: phrases of the documents' own framing
  (framing lines, teaser questions, calls to watch, headlines, trailer captions) that must never be a plot
  beat or the premise. They may still be found by /search: they are in the documents.
* `[music] pieces = ["On the Nature of Daylight"]`: titles of featured pre-existing pieces (not songs) that
  /soundtrack must name somewhere.

and reads two keys more widely than the spec's examples show (their meaning is unchanged):

* a name-valued `[film]` key (`director`, `country`, `language`, ...) may be a list when the documents give
  several (["United States", "Germany"]); every name-valued key is compared as a set of names, so the
  string "United Kingdom, United States" and that list shown in either order are the same.
* `[alternatives] rotten_tomatoes_reviews` / `metacritic_critics`: an older review count, shown beside the
  figure's alternative ("73% (85 reviews)").

How each key is graded (phrases match case- and accent-insensitively from a word start, as prefixes: see
`bench.grading.match`):

* `[film]`: the /movie field with the fact's label (title: the embed title and the film's title). Names
  are compared folded ("J.K." == "J. K."), lists as sets of names, dates as the first date in the value,
  runtime and year as the first integer. right / wrong (another value shown) / missing (nothing shown).
* `[alternatives]`: each value must be among the fact's "sources differ" alternatives (/movie, /reception,
  /sources). Any other alternative shown for a graded fact is wrong (a headline is not a title).
* `[[cast]]`: right when a credit has the actor and a character whose words include, or are included in,
  the expected ones; wrong when the actor plays something else or a stranger has the role. With
  `cast_rules.complete`, any other actor listed (or "also credited as") is a garble shown.
* `[[songs]]`, `[music]`, `[reception]`: the typed soundtrack and figures, and their lines in the replies.
* `[documents]`: `copies` by /sources' "near-copy of"; `independent` never grouped as copies; `warned`
  and `skipped` named in a warning (build summary, logged warnings or /sources); `skipped` never used.
* `[plot]`: `told`, `told_by` (every beat's document), each event's words all in one beat or the premise
  (and in story order), `premise_mentions` in a premise made of sentences (not infobox lines), `not_beats`.
* `spoilers`: readable before revealing anything in any reply (/movie, /plot and its parts, /cast pages and
  each name, /soundtrack, /reception, /sources, /search for each spoiler and each event, autocomplete).
* `never`: shown anywhere but /sources, revealed or not (also /search and /cast name: for the phrase and its
  words, and autocomplete). A reply quoting the user's own query back is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.grading.answers import Answers, load
from bench.grading.facts import grade_facts
from bench.grading.match import fold_text
from bench.grading.shown import Snapshot, build_alone, collect, digests
from bench.grading.story import grade_exposure, grade_story
from bench.grading.tally import Tally

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "films"
ANSWERS = ROOT / "tests" / "fixtures" / "answers"
BUNDLED = ROOT / "data" / "films" / "the-perfection"
_FILLER = frozenset(
    "the a an and or of to in on at for with by from his her their its is was are be as".split()
)


@dataclass
class FilmGrade(Tally):
    """One film's grade: the counts of `Tally`, every problem as a readable line; `perfect` when none."""

    film: str = ""
    mix: str = ""
    notes: list[str] = field(default_factory=list, repr=False)  # not graded: unknown answers keys
    replies: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (command, text as read)

    @property
    def perfect(self) -> bool:
        return not self.problems


def _words(phrase: str) -> list[str]:
    return [w for w in fold_text(phrase).split() if len(w) >= 4 and w not in _FILLER]


async def _snapshot(folder: Path, searches: list[str], names: list[str]) -> Snapshot:
    with tempfile.TemporaryDirectory(prefix="knowledge-") as tmp:
        db, warnings = build_alone(folder, Path(tmp))
        snap = await collect(db, warnings, searches, names)
    snap.digests = digests(folder)
    return snap


def judge(a: Answers, snap: Snapshot, film: str) -> FilmGrade:
    """Grade what `snap` knows and shows against the answers `a` (pure: no ingest, no database)."""
    grade = FilmGrade(film=film, mix=a.mix)
    grade_facts(a, snap, grade)
    grade_story(a, snap, grade)
    grade_exposure(a, snap, grade)
    grade.notes = [f"answers key not graded: {k}" for k in a.unknown_keys]
    grade.replies = [(r.command, r.seen()) for r in snap.replies]
    return grade


def asked(a: Answers) -> tuple[list[str], list[str]]:
    """What to search for and which names to look up, so every spoiler and garble has a chance to show."""
    searches = [*a.spoilers, *(" ".join(e) for e in a.events), *a.never]
    searches += [w for phrase in a.never if len(_words(phrase)) > 1 for w in _words(phrase)]
    names = [c.actor for c in a.cast] + [*a.never] + [w for phrase in a.never for w in _words(phrase)]
    names += [s for s in a.spoilers]
    return searches, names


async def grade_async(folder: Path, answers: Path) -> FilmGrade:
    a = load(answers)
    try:
        snap = await _snapshot(folder, *asked(a))
    except Exception as err:  # a crash is a result: the film is graded as knowing nothing
        failed = f"ingest or query failed: {type(err).__name__}: {err}"
        return FilmGrade(missing=1, problems=[failed], film=folder.name, mix=a.mix)
    return judge(a, snap, folder.name)


def grade(folder: Path, answers: Path) -> FilmGrade:
    """Build `folder` (one film's documents) alone, query and render everything, grade it against `answers`."""
    return asyncio.run(grade_async(folder, answers))


async def describe_async(folder: Path) -> list[str]:
    """What the bot learned about a film that has no answers: lines to print."""
    snap = await _snapshot(folder, [], [])
    facts = snap.overview.facts
    lines = [f"{snap.film.title} ({snap.film.year})"]
    lines += [
        f"  {name}: {facts[name].value}" for name in ("director", "runtime", "release") if name in facts
    ]
    lines += [f"  credit {c.billing}: {c.actor} as {c.character}" for c in snap.credits]
    lines.append(f"  premise: {snap.plot.premise or '(none)'}")
    lines += [
        f"  beat {b.index + 1} [{b.spoil.name}, {b.provenance.document}]: {b.text}" for b in snap.plot.beats
    ]
    for fact in snap.sources.disputed:
        others = "; ".join(f"{alt.value} ({', '.join(alt.documents)})" for alt in fact.alternatives)
        lines.append(f"  disputed {fact.field}: {fact.value} vs {others}")
    lines += [f"  warning: {w}" for w in snap.warnings]
    lines += [f"  warning: {d.document}: {w}" for d in snap.sources.documents for w in d.warnings]
    return lines


# ---------------------------------------------------------------- command line

_HEADER = ("film", "facts right", "wrong", "missing", "events told", "garbles", "leaks", "perfect")


def _row(g: FilmGrade) -> tuple[str, ...]:
    total = g.right + g.wrong + g.missing
    return (
        g.film,
        f"{g.right}/{total}",
        str(g.wrong),
        str(g.missing),
        f"{g.events_told}/{g.events_expected}",
        str(g.garbles),
        str(g.leaks),
        "yes" if g.perfect else "no",
    )


def table(grades: list[FilmGrade]) -> str:
    """The grades as a Markdown table with a total row."""
    total = FilmGrade(film="**total**")
    for g in grades:
        for name in ("right", "wrong", "missing", "events_told", "events_expected", "garbles", "leaks"):
            setattr(total, name, getattr(total, name) + getattr(g, name))
        total.problems += g.problems
    rows = [_HEADER, *(_row(g) for g in grades), _row(total)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    fmt = [" | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    rule = " | ".join("-" * w for w in widths)
    return "\n".join([f"| {fmt[0]} |", f"| {rule} |", *(f"| {line} |" for line in fmt[1:])])


def default_folders() -> list[Path]:
    return [*sorted(p for p in FIXTURES.iterdir() if p.is_dir()), BUNDLED]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="film folders (default: every fixture film)")
    parser.add_argument("--answers", type=Path, default=ANSWERS, help="folder of <film folder name>.toml")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every graded film is perfect")
    parser.add_argument("--quiet", action="store_true", help="print the table only, not each problem")
    parser.add_argument(
        "--replies",
        action="store_true",
        help="also print every rendered reply as read before revealing spoilers",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    grades: list[FilmGrade] = []
    for folder in args.folders or default_folders():
        answers = args.answers / f"{folder.name}.toml"
        if not answers.is_file():
            print(f"\n## {folder.name}: no answers in {answers}; what was learned (not graded)")
            try:
                print("\n".join(asyncio.run(describe_async(folder))))
            except Exception as err:
                print(f"  ingest or query failed: {type(err).__name__}: {err}")
            continue
        grades.append(grade(folder, answers))
    if grades:
        print("\n" + table(grades))
    if not args.quiet:
        for g in grades:
            if g.problems or g.notes:
                print(f"\n### {g.film}: {len(g.problems)} problems")
                print("\n".join(f"- {p}" for p in [*g.problems, *g.notes]))
    if args.replies:
        for g in grades:
            for command, text in g.replies:
                print(f"\n#### {g.film} {command}\n{text}")
    sys.stdout.flush()
    return 1 if args.strict and not all(g.perfect for g in grades) else 0


if __name__ == "__main__":
    raise SystemExit(main())
