"""Quotation marks that are not the usual double ones: British single quotes.

British style quotes with straight or curly single marks ('We will win,' he said), which are
also the apostrophe (don't, Qassem's, the '90s, Jones' car). spaCy splits "n't" and "'s" off
as tokens of their own, so a lone mark token is the only candidate, and it counts as a
quotation mark only in pairs: an opening mark at the start of a word (space or line start
before it, a letter after it), a closing mark at the end of a word (no space before it), in
the same paragraph and outside any double quotation (where single marks are nested quotes,
already inside).
"""

from __future__ import annotations

_OPENERS = ("'", "\u2018")
_CLOSERS = ("'", "\u2019")
_END_BEFORE = set(",.!?;:-\u2014\u2013")


def single_quote_marks(text: list[str], space: list[bool], double: list[int]) -> list[int]:
    """1 for tokens inside a British single quotation (its marks included), else 0.

    `text`: token texts; `space`: whether whitespace follows each token; `double`: 1 for tokens
    inside double quotation marks (`features.quote_marks`)."""
    n = len(text)
    out = [0] * n
    i = 0
    while i < n:
        t = text[i]
        opens = (t in _OPENERS and not double[i] and i + 1 < n and not space[i]
                 and text[i + 1][:1].isalpha() and (i == 0 or space[i - 1] or "\n" in text[i - 1]))
        if not opens:
            i += 1
            continue
        close = None
        for j in range(i + 2, n):
            if "\n" in text[j] or double[j]:
                break
            if text[j] in _CLOSERS and not space[j - 1] and (text[j - 1][-1:].isalpha() or text[j - 1][-1:] in _END_BEFORE) \
                    and (j + 1 == n or space[j] or not text[j + 1][:1].isalnum()):
                close = j
                break
        if close is None:
            i += 1
            continue
        for k in range(i, close + 1):
            out[k] = 1
        i = close + 1
    return out


def quote_mark_tokens(marks: list[int]) -> list[int]:
    """The opening and closing mark tokens of the quotations in `marks` (first and last token
    of each run of 1s)."""
    n = len(marks)
    return [i for i in range(n) if marks[i] and (i == 0 or not marks[i - 1] or i + 1 == n or not marks[i + 1])]
