"""The running score of one film: counts and every problem as a readable sentence."""

from __future__ import annotations

from dataclasses import dataclass, field


def show(text: str, limit: int = 120) -> str:
    """Shown text quoted for a problem line, on one line and cut."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    events_told: int = 0
    events_expected: int = 0
    garbles: int = 0
    leaks: int = 0
    problems: list[str] = field(default_factory=list)

    def ok(self) -> None:
        self.right += 1

    def bad(self, what: str) -> None:
        """A different value is shown."""
        self.wrong += 1
        self.problems.append(f"{what} (wrong)")

    def gone(self, what: str) -> None:
        """Nothing is shown where the documents state something."""
        self.missing += 1
        self.problems.append(f"{what} (missing)")

    def garble(self, what: str) -> None:
        """An invention or a copy's garble reached the user."""
        self.garbles += 1
        self.problems.append(what)

    def leak(self, what: str) -> None:
        """A spoiler is readable outside spoiler tags."""
        self.leaks += 1
        self.problems.append(what)

    def check(self, good: bool, what: str) -> None:
        """One right/wrong item."""
        if good:
            self.ok()
        else:
            self.bad(what)
