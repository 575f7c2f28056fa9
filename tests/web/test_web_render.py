"""The article renderer: flat segments over overlapping spans (no model needed)."""

from __future__ import annotations

from presslens.web.render import article_view, segments, speaker_colours

TEXT = 'Angela Merkel said on Monday: "We will rebuild it," she added.'
ARTICLE = {
    "text": TEXT,
    "entities": [
        {"id": "e1", "name": "Angela Merkel", "type": "PERSON",
         "mentions": [{"span": [0, 13], "kind": "name", "text": "Angela Merkel"},
                      {"span": [52, 55], "kind": "pronoun", "text": "she"}], "roles": [], "titles": []},
    ],
    "statements": [
        {"id": "s1", "content": [[31, 49]], "cue": [[14, 18], [56, 61]], "source": [[0, 13]], "speaker": "e1",
         "kind": "direct", "attribution": "named", "according_to": [], "confidence": 0.9},
        {"id": "s2", "content": [[34, 60]], "cue": [], "source": [[52, 55]], "speaker": None,
         "kind": "mixed", "attribution": "unattributed", "according_to": [{"name": "Reuters"}], "confidence": 0.4},
    ],
    "times": [{"span": [22, 28], "text": "Monday", "value": "2024-03-04", "granularity": "day"}],
}


def test_segments_cover_the_text_exactly():
    segs = segments(ARTICLE)
    assert "".join(s.text for s in segs) == TEXT
    assert all(s.text for s in segs)


def test_layers_become_classes_and_attributes():
    segs = segments(ARTICLE)
    by_text = {s.text: s for s in segs}
    assert {"mention", "m-name", "source"} <= set(by_text["Angela Merkel"].classes)
    assert "cue" in by_text["said"].classes
    monday = by_text["Monday"]
    assert "time" in monday.classes and monday.attrs["time"] == "2024-03-04"
    she = by_text["she"]
    assert {"mention", "m-pronoun", "stmt"} <= set(she.classes)
    assert she.attrs["resolved"] == "Angela Merkel" and she.tip == "Angela Merkel"
    # overlapping statements: the segment lists both, the colour is the first one's
    both = next(s for s in segs if s.attrs.get("statements") == "s1 s2")
    assert "stmt" in both.classes and speaker_colours(ARTICLE)["e1"] in both.classes


def test_each_statement_has_one_anchor():
    anchors = [s.anchor for s in segments(ARTICLE) if s.anchor]
    assert sorted(anchors) == ["stmt-s1", "stmt-s2"]


def test_malformed_and_out_of_range_spans_are_ignored():
    broken = {
        "text": "short text",
        "entities": [{"id": "e1", "name": "X", "mentions": [{"span": [5, 500], "kind": "pronoun"},
                                                             {"span": "junk"}, {"span": [7, 3]}]}],
        "statements": [{"id": "s1", "content": [[-5, 3], [1]], "cue": None, "speaker": "e9"}],
        "times": [{"span": None}],
    }
    segs = segments(broken)
    assert "".join(s.text for s in segs) == "short text"
    view = article_view(broken)
    assert view["panel"][0]["speaker"] is None


def test_panel_lists_who_said_what_in_text_order():
    panel = article_view(ARTICLE)["panel"]
    assert [p["id"] for p in panel] == ["s1", "s2"]
    assert panel[0]["speaker"] == "Angela Merkel" and panel[0]["content"] == "We will rebuild it"
    assert panel[0]["cue"] == "said … added"
    assert panel[1]["according_to"] == ["Reuters"]


def test_chart_pages_render_with_attributed_data():
    """Speaker, overview and relays pages with data the scaffold pipeline cannot produce yet."""
    from presslens.web import charts
    from presslens.web.deps import templates

    by_outlet = [{"outlet": "Daily <Ledger>", "statements": 3}, {"outlet": "Post", "statements": 1}]
    by_month = [{"month": "2024-03", "statements": 3}, {"month": "2024-04", "statements": 1}]
    timeline = [{"published": "2024-03-04", "article_id": "a/1", "outlet": "Post", "title": None,
                 "statement_id": "s1", "kind": "direct", "content": "<b>We</b> will"}]
    data = {"speaker": "Ann <Lee>", "query": {"outlet": None}, "statements": 4, "by_month": by_month,
            "by_outlet": by_outlet, "timeline": timeline}
    html = templates.get_template("speaker.html").render(
        data=data, chart=charts.columns(by_month, "month", ["statements"]),
        outlets=charts.hbars(by_outlet, "outlet", "statements"), json_url="/api/speakers/x")
    assert "Daily &lt;Ledger&gt;" in html and "Ann &lt;Lee&gt;" in html and "&lt;b&gt;We" in html
    assert html.count("<rect") == 4 and 'href="/articles/a/1#stmt-s1"' in html

    top = [{"speaker": "Ann <Lee>", "statements": 4, "articles": 2, "stories": 2}]
    overview = {"stats": {"articles": 2, "statements": 4}, "over_time": [{"period": "2024-03", "articles": 2,
                                                                          "statements": 4}],
                "top_speakers": top, "top_speakers_by_outlet": {"Post": top}}
    html = templates.get_template("overview.html").render(
        data=overview, chart=charts.columns(overview["over_time"], "period", ["articles", "statements"]),
        top=charts.hbars(top, "speaker", "statements"), json_url="/api/overview")
    assert 'href="/speakers/Ann%20%3CLee%3E"' in html and "<script" not in html

    rows = [{"outlet": "Post", "relay": "Reuters <x>", "statements": 5},
            {"outlet": "Ledger", "relay": "Reuters <x>", "statements": 1}]
    html = templates.get_template("relays.html").render(
        data={"query": {}, "relays": rows}, graph=charts.bipartite(rows, "outlet", "relay", "statements"),
        json_url="/api/relays")
    assert html.count('class="edge"') == 2 and "Reuters &lt;x&gt;" in html
