"""Release dates as changelogs write them: `2024-12-06`, `6th December, 2024`, `June 12, 2026`.

A format is a strftime-like string (`%Y %m %d %B %b`, plus `%-d`/`%-m` without a leading
zero and `%o` for an ordinal day, `6th`), so the `changelog-style` key reads like what
people know; it is rendered here, in English, whatever the machine's locale.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ISO = "%Y-%m-%d"

_MONTH = "|".join(MONTHS)
_MON = "|".join(name[:3] for name in MONTHS)
_PATTERNS = {
    "%Y": r"\d{4}",
    "%m": r"(?:0[1-9]|1[0-2])",
    "%-m": r"(?:1[0-2]|[1-9])",
    "%d": r"(?:0[1-9]|[12]\d|3[01])",
    "%-d": r"(?:[12]\d|3[01]|[1-9])",
    "%o": r"(?:3[01]|[12]\d|[1-9])(?:st|nd|rd|th)",
    "%B": f"(?:{_MONTH})",
    "%b": f"(?:{_MON})",
    "%%": "%",
}
_CODE = re.compile("|".join(re.escape(code) for code in sorted(_PATTERNS, key=len, reverse=True)))

#: The formats recognised in a heading, the most common reading first where two match.
KNOWN: tuple[str, ...] = (
    ISO,
    "%o %B, %Y",
    "%o %B %Y",
    "%B %-d, %Y",
    "%B %d, %Y",
    "%B %o, %Y",
    "%b %-d, %Y",
    "%-d %B %Y",
    "%d %B %Y",
    "%-d %b %Y",
    "%Y/%m/%d",
    "%Y-%-m-%-d",
)


def regex(fmt: str) -> str:
    """The regular expression (no groups) that matches a date written in `fmt`."""
    parts, last = [], 0
    for code in _CODE.finditer(fmt):
        parts += [re.escape(fmt[last : code.start()]), _PATTERNS[code.group()]]
        last = code.end()
    return "".join([*parts, re.escape(fmt[last:])])


_FINDERS = tuple((fmt, re.compile(rf"(?<![\w.]){regex(fmt)}(?![\w])")) for fmt in KNOWN)


@dataclass(frozen=True)
class Found:
    """A date in a line: where it is and the format it is written in."""

    start: int
    end: int
    format: str


def find(text: str) -> Found | None:
    """The first date in `text` in a known format (the earliest; the first format on a tie)."""
    best: Found | None = None
    for fmt, finder in _FINDERS:
        match = finder.search(text)
        if match and (best is None or match.start() < best.start):
            best = Found(match.start(), match.end(), fmt)
    return best


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def render(fmt: str, iso: str) -> str:
    """`iso` (YYYY-MM-DD, as the release step knows the date) written in `fmt`."""
    day = datetime.date.fromisoformat(iso)
    values = {
        "%Y": f"{day.year:04d}",
        "%m": f"{day.month:02d}",
        "%-m": str(day.month),
        "%d": f"{day.day:02d}",
        "%-d": str(day.day),
        "%o": _ordinal(day.day),
        "%B": MONTHS[day.month - 1],
        "%b": MONTHS[day.month - 1][:3],
        "%%": "%",
    }
    return _CODE.sub(lambda code: values[code.group()], fmt)


def problem(fmt: str) -> str:
    """Why `fmt` cannot be a date format ('' when it can): it needs a year, a month, a day."""
    codes = set(_CODE.findall(fmt))
    stray = re.sub(r"%%", "", _CODE.sub("", fmt))
    if "%" in stray:
        return "it uses a code other than %Y %m %-m %d %-d %o %B %b"
    if "%Y" not in codes or not codes & {"%m", "%-m", "%B", "%b"}:
        return "it needs %Y and a month (%m, %-m, %B or %b)"
    if not codes & {"%d", "%-d", "%o"}:
        return "it needs a day (%d, %-d or %o)"
    return ""
