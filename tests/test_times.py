"""Time expressions (issue 3 §3): normalisation against the dateline, and the spaCy component.

The anchor in most tests is Thursday 17 September 2020 (ISO week 2020-W38).
"""

from __future__ import annotations

from datetime import date

import pytest

from presslens.pipeline.times import timex
from presslens.pipeline.times.timex import normalize

THU = date(2020, 9, 17)


# --- timex.normalize: one expected value per form -------------------------------------------
@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        # weekdays: the tense picks the direction; the anchor's own weekday is that day
        ("Tuesday", "past", ("2020-09-15", "day")),
        ("Tuesday", "future", ("2020-09-22", "day")),
        ("Tuesday", None, ("2020-09-15", "day")),  # nearest: 2 days back beats 5 ahead
        ("Saturday", None, ("2020-09-19", "day")),
        ("Thursday", "past", ("2020-09-17", "day")),
        ("Thursday", "future", ("2020-09-17", "day")),
        ("last Thursday", None, ("2020-09-10", "day")),
        ("next Thursday", None, ("2020-09-24", "day")),
        ("next Tuesday", "past", ("2020-09-22", "day")),
        ("on Tuesday", "past", ("2020-09-15", "day")),
        ("Tuesday night", "past", ("2020-09-15", "day")),
        ("Tuesday's", "past", ("2020-09-15", "day")),
        # day words
        ("today", None, ("2020-09-17", "day")),
        ("tonight", "future", ("2020-09-17", "day")),
        ("yesterday", None, ("2020-09-16", "day")),
        ("yesterday morning", None, ("2020-09-16", "day")),
        ("tomorrow", None, ("2020-09-18", "day")),
        ("last night", None, ("2020-09-16", "day")),
        ("this morning", None, ("2020-09-17", "day")),
        # weeks, months, years relative to the anchor
        ("last week", None, ("2020-W37", "week")),
        ("this week", None, ("2020-W38", "week")),
        ("earlier this week", "past", ("2020-W38", "week")),
        ("next week", None, ("2020-W39", "week")),
        ("last month", None, ("2020-08", "month")),
        ("earlier this month", "past", ("2020-09", "month")),
        ("later this month", "future", ("2020-09", "month")),
        ("next month", None, ("2020-10", "month")),
        ("last year", None, ("2019", "year")),
        ("late last year", None, ("2019", "year")),
        ("this year", None, ("2020", "year")),
        ("next year", None, ("2021", "year")),
        ("early next year", None, ("2021", "year")),
        # the weekend
        ("the weekend", "past", ("2020-W37", "week")),
        ("the weekend", "future", ("2020-W38", "week")),
        ("last weekend", None, ("2020-W37", "week")),
        ("this weekend", None, ("2020-W38", "week")),
        ("this past weekend", None, ("2020-W37", "week")),
        # offsets
        ("two days ago", None, ("2020-09-15", "day")),
        ("3 days ago", None, ("2020-09-14", "day")),
        ("three weeks ago", None, ("2020-W35", "week")),
        ("two months ago", None, ("2020-07", "month")),
        ("a year ago", None, ("2019", "year")),
        ("in two weeks", "future", ("2020-W40", "week")),
        ("in three days", "future", ("2020-09-20", "day")),
        ("a month from now", None, ("2020-10", "month")),
        # months without a year: past → latest not after the anchor, future → next not before it
        ("November", "past", ("2019-11", "month")),
        ("in November", "future", ("2020-11", "month")),
        ("November", None, ("2020-11", "month")),  # nearest
        ("September", "past", ("2020-09", "month")),
        ("September", "future", ("2020-09", "month")),
        ("March", "past", ("2020-03", "month")),
        ("March", "future", ("2021-03", "month")),
        ("last November", None, ("2019-11", "month")),
        ("next March", None, ("2021-03", "month")),
        ("mid-September", None, ("2020-09", "month")),
        ("early June", "past", ("2020-06", "month")),
        ("the end of October", "future", ("2020-10", "month")),
        # days without a year
        ("Sept. 15", "past", ("2020-09-15", "day")),
        ("Sept. 15", "future", ("2021-09-15", "day")),
        ("Sept. 20", "past", ("2019-09-20", "day")),
        ("Sept. 20", "future", ("2020-09-20", "day")),
        ("Sept. 20", None, ("2020-09-20", "day")),
        ("September 15th", None, ("2020-09-15", "day")),
        ("15 September", "past", ("2020-09-15", "day")),
        ("the 15th of September", "past", ("2020-09-15", "day")),
        ("Jan. 3", None, ("2021-01-03", "day")),  # nearest to 17 Sept: next January
        ("Tuesday, Sept. 15", "past", ("2020-09-15", "day")),
        # absolute dates
        ("Sept. 15, 2020", None, ("2020-09-15", "day")),
        ("September 15 2020", None, ("2020-09-15", "day")),
        ("15 September 2019", None, ("2019-09-15", "day")),
        ("2020-09-15", None, ("2020-09-15", "day")),
        ("9/15/2020", None, ("2020-09-15", "day")),
        ("November 2019", None, ("2019-11", "month")),
        ("Nov. 2019", None, ("2019-11", "month")),
        ("2019", None, ("2019", "year")),
        ("in 2019", "past", ("2019", "year")),
        ("mid-2019", None, ("2019", "year")),
        ("the first quarter of 2020", None, ("2020", "year")),
        ("the summer of 2019", None, ("2019", "year")),
        ("fiscal 2021", None, ("2021", "year")),
        # kept, but not resolvable
        ("the 1990s", None, (None, None)),
        ("recent years", "past", (None, None)),
        ("the past two weeks", None, (None, None)),
        ("a few days ago", None, (None, None)),
        ("two days later", "past", (None, None)),
        ("in two weeks", "past", (None, None)),
        ("the next day", "past", (None, None)),
        ("Sept. 31", None, (None, None)),
        ("February 30, 2020", None, (None, None)),
        ("2011-12", None, (None, None)),  # a season, not December 2011
    ],
)
def test_normalize(expression, tense, expected):
    assert normalize(expression, THU, tense) == expected


@pytest.mark.parametrize(
    ("expression", "anchor", "tense", "expected"),
    [
        ("last week", date(2021, 1, 4), None, ("2020-W53", "week")),
        ("last week", date(2020, 1, 2), None, ("2019-W52", "week")),
        ("last month", date(2021, 1, 4), None, ("2020-12", "month")),
        ("December", date(2021, 1, 4), "past", ("2020-12", "month")),
        ("December", date(2021, 1, 4), None, ("2020-12", "month")),
        ("Dec. 31", date(2021, 1, 4), None, ("2020-12-31", "day")),
        ("two months ago", date(2021, 1, 4), None, ("2020-11", "month")),
        ("Sunday", date(2021, 1, 4), "past", ("2021-01-03", "day")),
        ("the weekend", date(2021, 1, 4), None, ("2020-W53", "week")),
    ],
)
def test_normalize_across_year_ends(expression, anchor, tense, expected):
    assert normalize(expression, anchor, tense) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Sept. 15, 2020", ("2020-09-15", "day")),
        ("2020-09-15", ("2020-09-15", "day")),
        ("November 2019", ("2019-11", "month")),
        ("2019", ("2019", "year")),
        ("Tuesday", (None, None)),
        ("Sept. 15", (None, None)),
        ("in November", (None, None)),
        ("last week", (None, None)),
        ("two days ago", (None, None)),
        ("yesterday", (None, None)),
    ],
)
def test_without_anchor_only_absolute_dates_resolve(expression, expected):
    assert normalize(expression, None, "past") == expected


def test_we_is_not_wednesday():
    assert normalize("We", THU, "past") == (None, None)
    assert timex.find("We met the minister; we will meet again.") == []


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2020-09-17", date(2020, 9, 17)),
        ("2020-09-17T08:30:00+00:00", date(2020, 9, 17)),
        (None, None),
        ("", None),
        ("last Tuesday", None),
    ],
)
def test_parse_anchor(published, expected):
    assert timex.parse_anchor(published) == expected


@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        ("three years", None, True),
        ("for three years", "past", True),
        ("decades", None, True),
        ("56 years old", None, True),
        ("56-year-old", None, True),
        ("annual", None, True),
        ("58", None, True),
        ("ten, fifteen", None, True),
        ("early 20s", None, True),
        ("125 weekdays", None, True),
        ("the '90s", None, False),
        ("the 1920s", None, False),
        ("the first half", None, True),
        ("2019", None, False),
        ("daily", None, True),
        ("in two weeks", "past", True),
        ("in two weeks", "future", False),
        ("in two weeks", "present", False),
        ("recent years", "past", False),
        ("two weeks ago", None, False),
        ("last year", None, False),
        ("Tuesday night", None, False),
        ("the 1990s", None, False),
        ("the first quarter of 2020", None, False),
    ],
)
def test_is_duration(expression, tense, expected):
    assert timex.is_duration(expression, tense) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("PTSD", False),
        ("West 23rd", False),
        ("6'3", False),
        ("the 13th", True),
        ("Christmas", True),
        ("the 1990s", True),
        ("recent years", True),
        ("Tuesday", True),
        ("Sept. 15", True),
    ],
)
def test_is_temporal(expression, expected):
    assert timex.is_temporal(expression) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He may resign.", []),
        ("Protesters march on the capital.", []),
        ("The report came out in May.", ["May"]),
        ("It fell in 2019 and rose early 2020.", ["2019", "early 2020"]),
        ("He spoke on Tuesday night.", ["Tuesday night"]),
        ("The vote, on Sept. 15, 2020, passed.", ["Sept. 15, 2020"]),
        ("He left two days ago.", ["two days ago"]),
        ("Talks resume in two weeks.", ["in two weeks"]),
        ("Revenue was 2019 dollars.", []),
        ("Sales rose between 2010 and 2015.", ["2010", "2015"]),
    ],
)
def test_find_longest_forms(text, expected):
    spans = timex.find(text)
    found = {text[s:e] for s, e, _ in spans}
    # the longest span at each position is what the component keeps
    longest = [t for t in found if not any(t != o and t in o for o in found)]
    assert sorted(longest) == sorted(expected)


# --- the component, through the pipeline ----------------------------------------------------
ARTICLE = (
    "WASHINGTON — The senator said on Tuesday that the vote will be held on Tuesday. "
    "We met her last week. He may resign, aides said two days ago, and protesters march on the "
    "capital. The election will be held in November; turnout fell in November, officials said. "
    "The report, published Sept. 15, said earlier this month that the plant closed on "
    "15 September 2019. The 56-year-old has served for three years. Next year, the plant "
    "reopens, and talks resume in two weeks. Police said Tuesday night that nobody was hurt."
)
EXPECTED = [
    ("Tuesday", "2020-09-15", "day"),
    ("Tuesday", "2020-09-22", "day"),
    ("last week", "2020-W37", "week"),
    ("two days ago", "2020-09-15", "day"),
    ("November", "2020-11", "month"),
    ("November", "2019-11", "month"),
    ("Sept. 15", "2020-09-15", "day"),
    ("earlier this month", "2020-09", "month"),
    ("15 September 2019", "2019-09-15", "day"),
    ("Next year", "2021", "year"),
    ("in two weeks", "2020-W40", "week"),
    ("Tuesday night", "2020-09-15", "day"),
]


@pytest.mark.model
def test_article_times(analyze_text):
    article = analyze_text(ARTICLE, published="2020-09-17")
    got = [(t.text, t.value, t.granularity) for t in article.times]
    assert got == EXPECTED
    for t in article.times:
        assert article.text[t.start:t.end] == t.text


@pytest.mark.model
def test_article_times_without_anchor(analyze_text):
    article = analyze_text(ARTICLE, published=None)
    values = {(t.text, t.value) for t in article.times}
    assert ("15 September 2019", "2019-09-15") in values
    assert ("Tuesday", None) in values and ("last week", None) in values
    # with no anchor the same expressions are found, with the same offsets
    assert [t.text for t in article.times] == [text for text, _, _ in EXPECTED]


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "We met the minister and we will meet again.",
        "He may resign, and she may not.",
        "Protesters march on the capital.",
        "The March on Washington drew crowds.",
        "Super Tuesday results appeared in the Sunday Times.",
        "The 56-year-old, who is 56 years old, served for three years and for decades.",
        "The annual meeting is held daily.",
        "Gerald Vickers, 58, pleaded guilty.",
    ],
)
def test_not_time_expressions(analyze_text, text):
    assert analyze_text(text, published="2020-09-17").times == []


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The committee met on Tuesday.", ("Tuesday", "2020-09-15")),
        ("The committee will meet on Tuesday.", ("Tuesday", "2020-09-22")),
        ("The committee is scheduled to meet on Tuesday.", ("Tuesday", "2020-09-22")),
        ("The committee is going to meet on Tuesday.", ("Tuesday", "2020-09-22")),
        ("The committee has met on Tuesday.", ("Tuesday", "2020-09-15")),
        ("The vote is scheduled for May 5.", ("May 5", "2021-05-05")),
        ("The bill passed in May.", ("May", "2020-05")),
        ("The law takes effect in March.", ("March", "2021-03")),
        ("Results are expected in October.", ("October", "2020-10")),
        ("The festival will take place over the weekend.", ("the weekend", "2020-W38")),
        ("Over the weekend, the festival drew crowds.", ("the weekend", "2020-W37")),
        ("In recent years, costs rose.", ("recent years", None)),
        ("The deal was signed a year ago.", ("a year ago", "2019")),
        ("A decision is not expected until at least January.", ("January", "2021-01")),
    ],
)
def test_tense_and_forms_in_context(analyze_text, text, expected):
    article = analyze_text(text, published="2020-09-17")
    assert [(t.text, t.value) for t in article.times] == [expected]
