"""Time expressions: finding them in text and normalising them against the article's date.

Pure functions, no spaCy. `presslens.pipeline.times.component` decides which spans are time
expressions and what tense governs them; this module turns one expression's text into an ISO
value:

    >>> normalize("last week", date(2020, 9, 17))
    ('2020-W37', 'week')
    >>> normalize("Tuesday", date(2020, 9, 17), "past")
    ('2020-09-15', 'day')

Values: day `2020-09-15`, ISO week `2020-W38`, month `2020-09`, year `2020`. Only the
expression's own text is read, never the sentence around it ("We" is never Wednesday). The
rules are our own, not dateparser's: they are a few microseconds per expression, need no
warm-up, and say exactly which direction a bare "Tuesday" or "November" takes (docs/times.md).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

Value = tuple[str, str] | tuple[None, None]
NONE: Value = (None, None)

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}

# --- detection in raw text ----------------------------------------------------------------
# Month and weekday names are matched case-sensitively, so "may" (the modal) and "march" (the
# verb) never match; capitalised ones ("May I ...", "March on Washington") are filtered by the
# component with the tagger. Function words are case-insensitive (sentence-initial "Last").
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MON = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d\w])"
_YR = r"(?:1[89]\d\d|20\d\d)(?![\d])"
_NUMW = r"(?:" + "|".join(sorted((k for k in NUMBERS if k not in ("a", "an")), key=len, reverse=True)) + r"|\d+)"
_UNIT = r"(?:days?|weeks?|months?|years?)"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("date", rf"(?:{_WD},?\s+)?{_MON}\s+{_DAY}(?:,?\s+{_YR})?"),
        ("date", rf"(?:{_WD},?\s+)?(?:(?i:the)\s+)?(?<![\w.,$]){_DAY}\s+(?:(?i:of)\s+)?{_MON}(?:,?\s+{_YR})?"),
        ("date", rf"(?<![\d-]){_YR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])"),
        ("date", rf"(?<![\d/])(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])/{_YR}(?!/)"),
        ("month", rf"(?:(?i:last|next|this|early|late)\s+|(?i:mid)-?|(?i:the\s+(?:end|beginning|start|middle)\s+of)\s+)?"
                  rf"{_MON}(?:,?\s+{_YR})?(?!\s*\d)"),
        ("weekday", rf"(?:(?i:last|next|this|early|late)\s+)?{_WD}(?:\s+(?i:morning|afternoon|evening|night))?"),
        ("dayword", r"(?i:\b(?:today|tonight|yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?\b"
                    r"|\b(?:this|last)\s+(?:morning|afternoon|evening|night)\b)"),
        ("relative", r"(?i:\b(?:(?:earlier|later|early|late)\s+)?(?:last|next|this(?:\s+past)?)\s+(?:week|month|year|weekend)\b"
                     r"|\bthe\s+weekend\b)"),
        ("ago", rf"(?i:\b(?:{_NUMW}|an?|a\s+few|several|many|a\s+couple\s+of)\s+(?:{_UNIT}|decades?)\s+ago\b)"),
        ("in", rf"(?i:\bin\s+(?:{_NUMW}|an?)\s+{_UNIT}\b)"),
        ("year", rf"(?:(?i:early|late|mid|fiscal)[-\s]+)?(?<![\d,.$-]){_YR}(?![-\d])"),
    )
)

# A bare month name ("May", "March") is a date only after one of these words (or with a day,
# a year or a modifier): "in May", "since March", "between March and May".
_MONTH_CONTEXT = re.compile(
    r"(?i:\b(?:in|since|by|until|till|through|during|from|before|after|of|to|and|or|between|"
    r"early|late|mid|last|next|this|for|least|as|around|about)\s*-?\s*)$"
)
_BARE_MONTH = re.compile(_MON)
# A bare year ("2019") is a date after these words; otherwise only when spaCy calls it DATE.
_YEAR_CONTEXT = re.compile(
    r"(?i:\b(?:in|since|by|until|till|through|during|from|before|after|of|between|early|late|mid|fiscal)[-\s]+"
    r"|\b(?:1[89]|20)\d\d\s+(?:and|or|to|through)\s+)$"  # the second of "between 2010 and 2015"
)


def is_bare_month(text: str) -> bool:
    """Whether `text` is a month name alone ("May", "Sept.")."""
    return _BARE_MONTH.fullmatch(text) is not None


def month_context(before: str) -> bool:
    """Whether the text just before a bare month name makes it a date ("in ", "since ")."""
    return _MONTH_CONTEXT.search(before[-16:]) is not None


def find(text: str) -> list[tuple[int, int, str]]:
    """Character spans `(start, end, kind)` of time expressions our patterns recognise in `text`.

    Overlapping spans are all returned; the caller picks. A bare month or year needs a
    preceding preposition (`in May`, `since 2019`), so "May" alone is not found here.
    """
    found = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind in ("month", "year") and re.fullmatch(rf"{_MON}|{_YR}", m.group(0)):
                # bare: "May" or "2019" with no modifier, day or year
                before = text[max(0, start - 20):start]
                context = _MONTH_CONTEXT if kind == "month" else _YEAR_CONTEXT
                if not context.search(before):
                    continue
            found.append((start, end, kind))
    return found


# --- normalisation --------------------------------------------------------------------------
_LEAD = re.compile(
    r"^(?:on|in|at|by|since|until|till|through|during|from|before|after|as of|of|around|about|"
    r"over|for|within|between|until|roughly|nearly|almost|some|approximately)\s+"
)
# Modifiers that narrow a period without leaving it: "late last year" is in last year.
# We report the enclosing period (a coarser but correct value).
_COARSEN = re.compile(
    r"^(?:(?:early|late|mid|earlier|later)(?:-|\s+)"
    r"|the\s+(?:very\s+)?(?:end|beginning|start|middle|rest|remainder|close|turn|first\s+half|second\s+half|"
    r"(?:first|second|third|fourth|last|final)\s+(?:quarter|week|weeks|days|day|months?|half))\s+of\s+"
    r"|(?:the\s+)?(?:spring|summer|fall|autumn|winter)\s+of\s+)"
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WD_ALT = "|".join(WEEKDAYS)
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_MDY = re.compile(rf"^(?:(?:{_WD_ALT}),? )?({_MONTH_ALT}) (?:the )?{_ORD}(?:,? (\d{{4}}))?$")
_DMY = re.compile(rf"^(?:(?:{_WD_ALT}),? )?(?:the )?{_ORD} (?:of )?({_MONTH_ALT})(?:,? (\d{{4}}))?$")
_MONTH_ONLY = re.compile(rf"^(?:(last|next|this|coming|past) )?({_MONTH_ALT})(?:,? (?:of )?(\d{{4}}))?$")
_YEAR_ONLY = re.compile(r"^(?:(?:fiscal|the year|calendar|fy) ?)?(\d{4})$")
_DAYWORD = re.compile(r"^(today|tonight|yesterday|tomorrow|this|last)(?: (morning|afternoon|evening|night))?$")
_WEEKDAY = re.compile(rf"^(?:(last|next|this|coming|past) )?({_WD_ALT})(?: (morning|afternoon|evening|night))?$")
_PERIOD = re.compile(r"^(last|next|this|this past|the past|the coming|the)? ?(week|month|year|weekend)$")
_OFFSET = re.compile(
    rf"^(?:(in) )?({'|'.join(NUMBERS)}|\d+|a few|several|many|a couple of) (day|week|month|year|decade)s?"
    r"(?: (ago|from now|hence|earlier|later|before|after))?$"
)


# Tenses in which "in two weeks" counts forward from the dateline: news uses the present for
# scheduled events ("the trial opens in two weeks").
_AHEAD = ("future", "present")


def _clean(text: str) -> str:
    t = text.lower().replace("\u2019", "'").replace(".", "")
    t = re.sub(r"'s$", "", t.strip())
    t = re.sub(r"[\s\u00a0]+", " ", t).strip(" ,;:-")
    return t


def _week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _day(year: int, month: int, day: int) -> Value:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return NONE


def _pick_year(anchor: date, tense: str | None, key, target) -> int:
    """The year for a yearless month or day `target`, compared by `key`, in the tense's direction.

    past: the latest not after the anchor; future: the earliest not before it; otherwise the
    nearest (ties to the past).
    """
    here = key(anchor)
    before = anchor.year if target <= here else anchor.year - 1
    after = anchor.year if target >= here else anchor.year + 1
    if tense == "past":
        return before
    if tense == "future":
        return after
    return before if _distance(anchor, before, target) <= _distance(anchor, after, target) else after


def _distance(anchor: date, year: int, target) -> int:
    month, day = target if isinstance(target, tuple) else (target, 15)
    day = min(day, calendar.monthrange(year, month)[1])
    return abs((date(year, month, day) - anchor).days)


def normalize(expression: str, anchor: date | None, tense: str | None = None) -> Value:
    """`(value, granularity)` of one time expression, or `(None, None)` when it cannot be resolved.

    `anchor` is the article's date (None: only absolute dates resolve). `tense` is `past`,
    `future`, `present` or None, from the verb that governs the expression; it picks the
    direction of "Tuesday", "November" or "Sept. 15" (docs/times.md). A value outside the
    years 1-9999 ("tomorrow" in an article of 9999-12-31) is unresolved.
    """
    try:
        value, granularity = _normalize(expression, anchor, tense)
    except (OverflowError, ValueError):  # date arithmetic past year 1 or 9999
        return NONE
    year = _YEAR.match(value or "")
    if year and not (len(year.group()) == 4 and year.group() != "0000"):  # "last year" in year 1
        return NONE
    return value, granularity


_YEAR = re.compile(r"\d+")


def _normalize(expression: str, anchor: date | None, tense: str | None) -> Value:
    t = _clean(expression)
    prefix = None
    m = _LEAD.match(t)
    if m:
        prefix, t = m.group(0).strip(), t[m.end():]
    t = t.replace("this past ", "last ")
    while (m := _COARSEN.match(t)) is not None and m.end() < len(t):
        t = t[m.end():]

    # absolute forms
    if m := _ISO.match(t):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _US.match(t):
        return _day(int(m[3]), int(m[1]), int(m[2]))
    m = _MDY.match(t)
    if m:
        month, day, year = MONTHS[m[1]], int(m[2]), m[3]
    elif m := _DMY.match(t):
        day, month, year = int(m[1]), MONTHS[m[2]], m[3]
    if m:
        if year:
            return _day(int(year), month, day)
        if anchor is None or not 1 <= day <= 31:
            return NONE
        return _day(_pick_year(anchor, tense, lambda d: (d.month, d.day), (month, day)), month, day)
    if m := _MONTH_ONLY.match(t):
        which, month, year = m[1], MONTHS[m[2]], m[3]
        if year:
            return f"{year}-{month:02d}", "month"
        if anchor is None:
            return NONE
        if which in ("last", "past"):
            y = anchor.year if month < anchor.month else anchor.year - 1
        elif which in ("next", "coming"):
            y = anchor.year if month > anchor.month else anchor.year + 1
        elif which == "this":
            y = anchor.year
        else:
            y = _pick_year(anchor, tense, lambda d: d.month, month)
        return f"{y}-{month:02d}", "month"
    if m := _YEAR_ONLY.match(t):
        return m[1], "year"

    # relative forms: need the anchor
    if anchor is None:
        return NONE
    if m := _DAYWORD.match(t):
        word, part = m[1], m[2]
        if word in ("this", "last") and not part:
            return NONE
        # "last night" is yesterday's; "last morning" is not idiomatic, read it the same way
        shift = {"today": 0, "tonight": 0, "this": 0, "yesterday": -1, "tomorrow": 1, "last": -1}[word]
        return (anchor + timedelta(days=shift)).isoformat(), "day"
    if m := _WEEKDAY.match(t):
        which, target = m[1], WEEKDAYS[m[2]]
        back = (anchor.weekday() - target) % 7   # days back to the latest such day, 0 = today
        ahead = (target - anchor.weekday()) % 7  # days ahead to the next such day, 0 = today
        if which in ("last", "past"):
            shift = -(back or 7)
        elif which in ("next", "coming"):
            shift = ahead or 7
        elif tense == "past":
            shift = -back
        elif tense == "future":
            shift = ahead
        else:
            shift = -back if back <= ahead else ahead
        return (anchor + timedelta(days=shift)).isoformat(), "day"
    if m := _PERIOD.match(t):
        which, unit = m[1], m[2]
        if which in (None, "the", "the past", "the coming") and unit != "weekend":
            return NONE  # "the week", "the past week": a span ending now, or anaphoric
        step = {"last": -1, "next": 1, "this": 0}.get(which or "the", 0)
        if unit == "weekend" and which in (None, "the", "the past", "the coming"):
            # "the weekend": past → the latest one (Mon–Fri: the last ISO week's); future → this
            # ISO week's; otherwise the nearer one
            weekday = anchor.weekday()
            if weekday >= 5 or tense == "future":
                step = 0
            elif tense == "past":
                step = -1
            else:
                step = -1 if weekday <= 2 else 0
            if which == "the past":
                step = 0 if weekday >= 5 else -1
        if unit in ("week", "weekend"):
            return _week(anchor + timedelta(weeks=step)), "week"
        if unit == "month":
            y, mo = _add_months(anchor.year, anchor.month, step)
            return f"{y}-{mo:02d}", "month"
        return str(anchor.year + step), "year"
    if m := _OFFSET.match(t):
        inside = m[1] or prefix
        count, unit, rel = m[2], m[3], m[4]
        n = NUMBERS.get(count) if not count.isdigit() else int(count)
        if n is None or unit == "decade":
            return NONE  # "a few days ago", "decades ago": vague
        if rel == "ago":
            n = -n
        elif rel in ("from now", "hence") or (rel is None and inside == "in" and tense in _AHEAD):
            pass
        else:
            return NONE  # "two days later": relative to the story, not the dateline
        if unit == "day":
            return (anchor + timedelta(days=n)).isoformat(), "day"
        if unit == "week":
            return _week(anchor + timedelta(weeks=n)), "week"
        if unit == "month":
            y, mo = _add_months(anchor.year, anchor.month, n)
            return f"{y}-{mo:02d}", "month"
        return str(anchor.year + n), "year"
    return NONE


# --- what is not a point in time ----------------------------------------------------------------
_UNITS = re.compile(r"\b(?:second|minute|hour|day|night|weekday|week|month|year|decade|centur(?:y|ie)|quarter|half|season|"
                    r"semester|term|era|period|time)s?\b")
_ANCHORED = re.compile(
    rf"\b(?:ago|from now|hence|last|next|this|these|those|that|earlier|later|recent|recently|past|previous|"
    rf"coming|following|prior|same|current|upcoming|today|tonight|yesterday|tomorrow|weekend|now|"
    rf"{_WD_ALT}|{_MONTH_ALT})\b|\d{{4}}"
)
# "58" in "Gerald Vickers, 58, pleaded": the small model's NER calls bare ages DATE.
_JUST_NUMBERS = re.compile(rf"(?:(?:\d{{1,3}}(?!\d)|{'|'.join(NUMBERS)})[\s,\-]*(?:and|or|to)?[\s,\-]*)+")
_AGE = re.compile(r"\bold\b|-old\b|\bage[ds]?\b|\baging\b|(?<![\d'])\b\d0s\b")  # "early 20s"
_FREQUENCY = re.compile(r"^(?:the )?(?:annual|annually|daily|weekly|monthly|yearly|quarterly|nightly|biweekly|"
                        r"every|each|per)\b")
_DAY_WORD = re.compile(rf"\b(?:today|tonight|yesterday|tomorrow|{_WD_ALT}|(?:this|last) "
                       r"(?:morning|afternoon|evening|night))\b")


def is_duration(expression: str, tense: str | None = None) -> bool:
    """Whether an expression is a duration, an age or a frequency rather than a point in time.

    "three years", "56 years old", "for decades", "annual" are; "recent years", "two weeks ago",
    "last year" are not. "in two weeks" is a point only in the future or present tense ("talks
    resume in two weeks"), a duration in the past ("prices rose 5% in three days").
    """
    t = _clean(expression)
    if _AGE.search(t) or _FREQUENCY.match(t) or _JUST_NUMBERS.fullmatch(t):
        return True
    if t.startswith("in ") and _OFFSET.match(t):
        return tense not in _AHEAD
    return bool(_UNITS.search(t)) and not _ANCHORED.search(t)


_TEMPORAL = re.compile(
    rf"\b(?:{_WD_ALT}|{_MONTH_ALT}|today|tonight|yesterday|tomorrow|now|nowadays|recent|recently|ago|"
    r"morning|afternoon|evening|night|weekend|weekdays?|spring|summer|fall|autumn|winter|christmas|easter|"
    r"thanksgiving|new year|eve|holidays?|(?:second|minute|hour|day|week|month|year|decade|century|centurie|"
    r"quarter|half|season)s?)\b|\d{4}|^the \d{1,2}(?:st|nd|rd|th)$"
)


def is_temporal(expression: str) -> bool:
    """Whether an expression has any time word, a year or "the 13th" (the NER calls "PTSD",
    "West 23rd" and "6'3" DATE)."""
    return _TEMPORAL.search(_clean(expression)) is not None


def mentions_day(expression: str) -> bool:
    """Whether a spaCy TIME expression names a day ("Tuesday night", "this morning")."""
    return bool(_DAY_WORD.search(_clean(expression)))


def parse_anchor(published: str | None) -> date | None:
    """The article date from `doc._.published` (ISO date or datetime), or None."""
    if not published:
        return None
    try:
        return date.fromisoformat(str(published).strip()[:10])
    except ValueError:
        return None
