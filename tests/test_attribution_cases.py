"""Issue 5: each construction the attribution engine must handle, on hand-written sentences.

The texts are invented for these tests (never PolNeAR's). Each case names the speaker it
expects (by the text of the speaker entity's name, or None), the kind, and the according_to
chain.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


def statement_with(article, words: str):
    """The statement whose content contains `words`."""
    for st in article.statements:
        content = " ".join(article.text[s:e] for s, e in st.content)
        if words in content:
            return st
    found = [" ".join(article.text[s:e] for s, e in st.content) for st in article.statements]
    raise AssertionError(f"no statement contains {words!r}; statements: {found}")


def speaker_name(article, st) -> str | None:
    if st.speaker is None:
        return None
    ent = next(e for e in article.entities if e.id == st.speaker)
    return ent.name


def source_text(article, st) -> str:
    return " ".join(article.text[s:e] for s, e in st.source)


def test_direct_quote_over_several_sentences(analyze_text):
    art = analyze_text('"We will not back down. The people of this city are with us," said Maria Lopez, the mayor of Springfield.')
    st = statement_with(art, "The people of this city are with us")
    assert st.kind == "direct"
    assert "We will not back down" in " ".join(art.text[s:e] for s, e in st.content)
    assert speaker_name(art, st) == "Maria Lopez"


def test_quote_running_over_paragraphs(analyze_text):
    text = (
        'Mayor Maria Lopez told reporters on Monday: "We have the law on our side and we will use it.\n\n'
        '"Nobody is going to take this park away from the children of this city."\n'
    )
    art = analyze_text(text)
    st = statement_with(art, "Nobody is going to take this park")
    assert st.kind == "direct"
    assert speaker_name(art, st) == "Maria Lopez"


def test_quotation_reopened_in_each_paragraph_is_one_statement(analyze_text):
    # issue 8 \u00a73: news style re-opens a running quotation at each paragraph, never closing it
    # until its last paragraph, where "she said" is the same speaker speaking on
    text = ("Mayor Maria Lopez told reporters on Monday: \u201cWe have the law on our side and we will use it.\n\n"
            "\u201cNobody is going to take this park away from the children. We fought for it in 1998. "
            "We fought for it again in 2010. We will fight for it now.\n\n"
            "\u201cThe people of this city deserve better than this sale,\u201d she said.\n\n"
            "Council member Omar Farouk said the park would be sold anyway.")
    art = analyze_text(text)
    st = statement_with(art, "Nobody is going to take this park")
    content = " ".join(art.text[s:e] for s, e in st.content)
    assert "We have the law on our side" in content and "deserve better than this sale" in content
    assert st.kind == "direct" and speaker_name(art, st) == "Maria Lopez"
    assert speaker_name(art, statement_with(art, "the park would be sold anyway")) == "Omar Farouk"


def test_closed_quotations_in_two_paragraphs_stay_two_statements(analyze_text):
    text = ("\u201cWe have the law on our side,\u201d Mayor Maria Lopez said.\n\n"
            "\u201cThe sale is legal,\u201d said Omar Farouk, a council member.")
    art = analyze_text(text)
    assert speaker_name(art, statement_with(art, "We have the law on our side")) == "Maria Lopez"
    assert speaker_name(art, statement_with(art, "The sale is legal")) == "Omar Farouk"


def test_floating_quote_takes_the_previous_speaker(analyze_text):
    text = 'Senator John Harris said the farm bill was a disaster for growers. "It is a giveaway to the banks and nothing else."'
    art = analyze_text(text)
    st = statement_with(art, "giveaway to the banks")
    # PolNeAR's convention: the floating quote joins its statement as one more content span
    assert "disaster for growers" in " ".join(art.text[s:e] for s, e in st.content)
    assert st.kind == "mixed"
    assert speaker_name(art, st) == "John Harris"


def test_mixed_quote_denounced_as(analyze_text):
    art = analyze_text('Opposition leader Karen Mills denounced as "a betrayal of the voters" the latest moves by the cabinet.')
    st = statement_with(art, "a betrayal of the voters")
    assert st.kind == "mixed"
    assert speaker_name(art, st) == "Karen Mills"


def test_mixed_quote_need_to(analyze_text):
    art = analyze_text('Prime Minister Omar Farouk emphasized the need for the coalition to "maintain its unity" before the vote.')
    st = statement_with(art, "maintain its unity")
    assert st.kind == "mixed"
    assert speaker_name(art, st) == "Omar Farouk"


def test_indirect_that_clause_with_pronoun_source(analyze_text):
    art = analyze_text("Finance Minister Peter Walsh spoke in Dublin on Monday. He said that the new tax would hurt small businesses.")
    st = statement_with(art, "the new tax would hurt small businesses")
    assert st.kind == "indirect"
    assert source_text(art, st) == "He"
    assert st.attribution == "pronoun"
    assert speaker_name(art, st) == "Peter Walsh"


def test_indirect_describing_as(analyze_text):
    art = analyze_text("Peter Walsh defended the budget on Monday, describing the spending cuts as the only way to balance the books.")
    st = statement_with(art, "the only way to balance the books")
    assert st.kind == "indirect"
    assert speaker_name(art, st) == "Peter Walsh"


def test_parenthetical_cue(analyze_text):
    art = analyze_text("Peter Walsh spoke in Dublin. The big banks, he added, see their interest in a weak currency.")
    st = statement_with(art, "see their interest in a weak currency")
    assert st.kind == "indirect"
    assert st.attribution == "pronoun"
    assert speaker_name(art, st) == "Peter Walsh"


def test_sentence_final_cue(analyze_text):
    art = analyze_text("The economy will recover strongly next year, Governor Anna Berg said.")
    st = statement_with(art, "The economy will recover strongly next year")
    assert st.kind == "indirect"
    assert speaker_name(art, st) == "Anna Berg"


def test_according_to_chain(analyze_text):
    art = analyze_text("The talks will resume next week, Foreign Minister Ahmed Karimi said, according to Reuters.")
    st = statement_with(art, "The talks will resume next week")
    assert speaker_name(art, st) == "Ahmed Karimi"
    assert [a.name for a in st.according_to] == ["Reuters"]


def test_reported_that_x_said_chain(analyze_text):
    art = analyze_text("Reuters reported that Ahmed Karimi said the talks would resume next week.")
    st = statement_with(art, "the talks would resume next week")
    assert speaker_name(art, st) == "Ahmed Karimi"
    assert [a.name for a in st.according_to] == ["Reuters"]


def test_group_speaker_denounced_by(analyze_text):
    # The mission's own construction. With the 2026-12-01 weights the judge scores the same
    # shape with "The new quota ... by farmers" at 0.25, under its threshold 0.28
    # (docs/evaluation.md, known limits).
    art = analyze_text('The normalisation deal was denounced by Palestinians as "a stab in the back".')
    st = statement_with(art, "a stab in the back")
    assert st.kind in ("direct", "mixed")
    assert "Palestinians" in source_text(art, st)
    assert st.attribution == "group"


def test_institutional_speaker(analyze_text):
    art = analyze_text("The Ministry of Health said the vaccine figures published on Friday were wrong.")
    st = statement_with(art, "the vaccine figures published on Friday were wrong")
    assert st.kind == "indirect"
    assert "Ministry of Health" in source_text(art, st)
    assert st.attribution == "group"


def test_vague_critics(analyze_text):
    art = analyze_text("Critics say the new stadium will never pay for itself.")
    st = statement_with(art, "the new stadium will never pay for itself")
    assert st.speaker is None
    assert st.attribution == "vague"


def test_vague_sources(analyze_text):
    art = analyze_text("Sources said the merger was close to collapse.")
    st = statement_with(art, "the merger was close to collapse")
    assert st.speaker is None
    assert st.attribution == "vague"


def test_unattributed_passive(analyze_text):
    art = analyze_text("The mayor's visit to the flooded district has been widely seen as a political stunt.")
    st = statement_with(art, "a political stunt")
    assert st.speaker is None
    assert st.attribution in ("unattributed", "vague")


def test_passive_subject_of_a_describing_cue_is_no_source(analyze_text):
    art = analyze_text("The minister's visit to the border has been widely observed as a political stunt.")
    st = statement_with(art, "a political stunt")
    assert st.source == [] and st.speaker is None
    assert st.attribution == "unattributed"


def test_quoted_as_saying_keeps_its_passive_subject(analyze_text):
    art = analyze_text("Governor Alan Brooks was quoted as saying that the budget would pass.")
    st = statement_with(art, "the budget would pass")
    assert speaker_name(art, st) == "Alan Brooks"
    assert st.attribution == "named"


@pytest.mark.parametrize("text, content", [
    ("The harbour authority has been accused of hiding the true cost of the new pier.", "hiding the true cost"),
    ("Deputy mayor Clara Voss was asked whether the pier would open in spring.", "whether the pier would open"),
])
def test_passive_subject_is_who_is_talked_about_not_who_talks(analyze_text, text, content):
    """The passive subject of any cue but "quoted as saying" is the target (accused) or the
    addressee (asked), not the speaker: PolNeAR leaves these without a source."""
    st = statement_with(analyze_text(text), content)
    assert st.source == [] and st.speaker is None and st.attribution == "unattributed"


@pytest.mark.parametrize("text, content", [
    ("Councillor Ben Okafor seems sure that the tram line will never be finished.", "the tram line will never"),
    ("It appeared that the council had quietly dropped its plan for a second bridge.", "quietly dropped its plan"),
    ("The transport minister has faced sharp criticism for the delays on the northern line.", "the delays"),
    ("The rail company came under fierce criticism for its handling of the strike.", "its handling of the strike"),
])
def test_subjects_of_seem_and_of_facing_criticism_are_no_source(analyze_text, text, content):
    st = statement_with(analyze_text(text), content)
    assert st.source == [] and st.speaker is None


def test_seems_to_believe_keeps_the_believer(analyze_text):
    art = analyze_text("Councillor Ben Okafor seems to believe that the tram line will never be finished.")
    st = statement_with(art, "the tram line will never be finished")
    assert speaker_name(art, st) == "Ben Okafor"


def _linked_statement(nlp, text: str, cue: str, source: str, content: str):
    """The attribution stage's statement for a hand-linked cue, source and content of `text`
    (word sequences as they appear), through the same `_statement` the tagger's runs go."""
    from presslens.pipeline.attribution.decode import Linked
    from presslens.pipeline.build import make_doc

    doc = nlp(make_doc(nlp, text))

    def at(words: str) -> tuple[int, int]:
        start = text.index(words)
        span = doc.char_span(start, start + len(words), alignment_mode="expand")
        return span.start, span.end

    attributor = next(p for _, p in nlp.pipeline if hasattr(p, "attributor")).attributor
    linked = Linked(cue=[at(cue)], source=[at(source)], content=[at(content)])
    return attributor._statement(doc, linked, [1.0] * len(doc), [0] * len(doc), 0.9)


@pytest.mark.parametrize("text, cue, source, content", [
    # a passive participle cue: the subject it describes was asked, and the asker is not named
    ("Asked about the bridge on Monday, Mayor Ann Cole said the repairs would take a year.",
     "Asked about", "Mayor Ann Cole", "the bridge"),
    # a source tagged on part of a name is still the subject of the passive
    ("Maria Elena Ruiz Gomez was accused of hiding the report.", "was accused of", "Ruiz", "hiding the report"),
])
def test_hand_linked_subjects_that_are_talked_about_lose_their_source(nlp, text, cue, source, content):
    st = _linked_statement(nlp, text, cue, source, content)
    assert st.source == [] and st.speaker is None


def test_a_lone_determiner_source_gives_way_to_the_cues_subject(nlp):
    """A source tag run cut down to "the" or "what" (seen on PolNeAR dev, where the object's
    determiner of "X accused the audience" was tagged as the source) is no source: the parse's
    subject of the cue stands in, else none."""
    text = "Mayor Ann Cole accused the council of hiding the report."
    st = _linked_statement(nlp, text, "accused", "the", "council of hiding the report")
    assert [sp.text for sp in st.source] == ["Mayor Ann Cole"]
    text = "Accused the council of hiding the report, the letter went on."
    st = _linked_statement(nlp, text, "Accused", "the", "council of hiding the report")
    assert all(sp.text != "the" for sp in st.source)


@pytest.mark.parametrize("text, content, name", [
    ("Councillor Maria Lopez said she did not trust the figures, arguing that the survey was too small.",
     "the survey was too small", "Councillor Maria Lopez"),
    ("Mayor Ann Cole told reporters that she backed the plan, saying that the city could not wait.",
     "the city could not wait", "Mayor Ann Cole"),
    # the reported clause's subject is a noun, not a pronoun: still the reporter cites
    ("Engineer Tom Reyes said rising costs had delayed the repairs, citing the price of steel.",
     "the price of steel", "Engineer Tom Reyes"),
])
def test_a_participle_after_a_report_shares_the_reporters_subject(analyze_text, text, content, name):
    """", arguing that ...", ", citing ..." after "X said she ...": X argues (issue 8: such
    cues share the clause's subject), not the pronoun of the reported clause that the parse
    hangs the participle on."""
    art = analyze_text(text)
    st = statement_with(art, content)
    assert source_text(art, st) == name and st.attribution == "named"


def test_unnamed_person_is_vague(analyze_text):
    art = analyze_text("A spokesman for the airline said the flights would resume on Friday.")
    st = statement_with(art, "the flights would resume on Friday")
    assert "A spokesman for the airline" in source_text(art, st)
    assert st.speaker is None
    assert st.attribution == "vague"


def test_role_source_resolves_to_the_person_not_the_organisation_inside_it(analyze_text):
    art = analyze_text("The NTSB chairman, Mr. Raymond Voss, told the committee last week that a fixed "
                       "deadline could force investigators to publish incomplete conclusions.")
    st = statement_with(art, "a fixed deadline could force investigators")
    assert speaker_name(art, st) == "Raymond Voss"
    assert st.attribution == "named"


def test_quote_after_a_cued_sentence_keeps_its_own_speaker(analyze_text):
    # the tagger once ran the content of "to discuss" on into the next sentence's quote
    art = analyze_text('Officials met on Monday to discuss the library loan housing tariff school police plan '
                       'number 38. "We will deliver the inquiry project before winter," Maria Okafor said.')
    st = statement_with(art, "We will deliver the inquiry project before winter")
    assert st.kind == "direct"
    assert speaker_name(art, st) == "Maria Okafor"


def test_relative_pronoun_source_speaks_for_its_antecedent(analyze_text):
    # PolNeAR marks "who" as the source; the speaker is the person the clause hangs on
    art = analyze_text('Economist David Kamin spoke on Monday. "The plan will take time," said Mr. Kamin, '
                       "who emphasized that the proposals were sound.")
    st = statement_with(art, "the proposals were sound")
    assert source_text(art, st) == "who"
    assert speaker_name(art, st) == "David Kamin"
    assert st.attribution == "named"


def test_confidence_is_a_probability(analyze_text):
    art = analyze_text('"We will win," said Maria Lopez. Critics say the plan will fail.')
    assert art.statements
    assert all(0.0 <= st.confidence <= 1.0 for st in art.statements)


# -- issue 8 §2: speakers that hold up on real articles (texts written for these tests) -------

def entity_named(article, name):
    return next(e for e in article.entities if e.name == name)


def test_pronoun_speaker_is_never_a_name_in_reported_content(analyze_text):
    # issue 8 §2: Grant is who Reyes talks about, so "He said" is Reyes
    art = analyze_text("Mayor Tom Reyes said Governor Paul Grant had lied to voters. He said the inquiry would go on.")
    assert speaker_name(art, statement_with(art, "the inquiry would go on")) == "Tom Reyes"
    # the only man named is inside what the mayor said: nobody, rather than him
    art = analyze_text("Mayor Maria Lopez said Police Chief Tom Reyes would resign. He said the decision was final.")
    st = statement_with(art, "the decision was final")
    assert st.attribution == "pronoun" and st.speaker is None


def test_pronoun_speaker_is_never_a_name_inside_a_quotation(analyze_text):
    art = analyze_text('Maria Lopez met the governor on Friday. "John Harris will lose this fight," she said. '
                       "He said nothing more about the budget.")
    assert speaker_name(art, statement_with(art, "John Harris will lose this fight")) == "Maria Lopez"
    st = statement_with(art, "nothing more about the budget")
    assert st.speaker is None


def test_pronoun_speaker_keeps_the_current_speaker_of_the_passage(analyze_text):
    art = analyze_text('"Paul Grant has misled everyone," Tom Reyes said on Monday. He said the inquiry '
                       "would go on. He added that Grant should resign.")
    for words in ("the inquiry would go on", "Grant should resign"):
        assert speaker_name(art, statement_with(art, words)) == "Tom Reyes"


def test_pronoun_speaker_respects_gender(analyze_text):
    # first names and honorifics give the gender; "he" is not Mrs. Haddad, "she" not Omar
    art = analyze_text("Mrs. Amal Haddad spoke to reporters on Monday. He said the dam would hold.")
    assert statement_with(art, "the dam would hold").speaker is None
    art = analyze_text("Omar Farouk met Dr. Amina Haddad in Cairo. She said the reservoir was nearly empty.")
    assert speaker_name(art, statement_with(art, "the reservoir was nearly empty")) == "Amina Haddad"


def test_a_place_is_never_the_speaker_of_the_people_in_it(analyze_text):
    art = analyze_text('Crowds in Deir Ezzor chanted "death to the traitors" through the night.')
    st = statement_with(art, "death to the traitors")
    assert st.speaker is None or entity_named(art, speaker_name(art, st)).type != "GPE"
    art = analyze_text('"We have nothing left," said a resident of Tell Abyad. He said the dam had failed.')
    st = statement_with(art, "the dam had failed")
    assert st.speaker is None


def test_definite_descriptions_resolve_to_the_entity_introduced_earlier(analyze_text):
    art = analyze_text(
        "Former President Daniel Okoro spoke in Lagos on Monday. The former president said the vote was "
        "rigged. Sky News aired the speech in full. The network said it had received no complaints. "
        "The Ministry of Health published new figures. The ministry said cases had fallen. "
        "The Hezbollah official, Sheikh Karim Nasser, spoke later. The Hezbollah official said the group was ready.")
    assert speaker_name(art, statement_with(art, "the vote was rigged")) == "Daniel Okoro"
    assert speaker_name(art, statement_with(art, "had received no complaints")) == "Sky News"
    assert speaker_name(art, statement_with(art, "cases had fallen")) == "Ministry of Health"
    assert speaker_name(art, statement_with(art, "the group was ready")) == "Karim Nasser"


def test_possessives_speak_for_themselves_linked_to_the_possessor(analyze_text, validate):
    art = analyze_text(
        "Hillary Clinton arrived late in Ohio. Her supporters said the polls were wrong. Clinton's campaign "
        "said the emails were a distraction. Donald Trump spoke in Iowa. Trump aides said the rally had "
        "been a success. Donald Trump's son said the meeting was about adoptions.")
    validate(art.to_dict())
    clinton, trump = entity_named(art, "Hillary Clinton"), entity_named(art, "Donald Trump")
    for words, name, owner, attribution in (
        ("the polls were wrong", "Hillary Clinton's supporters", clinton, "group"),
        ("the emails were a distraction", "Hillary Clinton's campaign", clinton, "group"),
        ("the rally had been a success", "Donald Trump's aides", trump, "group"),
        ("the meeting was about adoptions", "Donald Trump's son", trump, "named"),
    ):
        st = statement_with(art, words)
        speaker = art.entity(st.speaker)
        assert speaker is not None and speaker.name == name and speaker.of == owner.id, (words, speaker)
        assert st.attribution == attribution
        assert speaker.to_dict()["of"] == owner.id


def test_a_possessed_organisation_is_found_again(analyze_text):
    art = analyze_text("Clinton's campaign said on Monday the emails were a distraction. The campaign added "
                       "that it would not comment further.")
    first = statement_with(art, "the emails were a distraction")
    assert first.speaker is not None
    assert statement_with(art, "it would not comment further").speaker == first.speaker


def test_a_possessive_role_with_its_own_name_is_that_person(analyze_text):
    art = analyze_text("Trump's spokesman, Hogan Gidley, said the senator was playing politics.")
    assert speaker_name(art, statement_with(art, "the senator was playing politics")) == "Hogan Gidley"
    art = analyze_text("Hillary Clinton spoke first. Clinton's opponent, Donald Trump, said the debate was rigged.")
    assert speaker_name(art, statement_with(art, "the debate was rigged")) == "Donald Trump"


def test_participial_adding_shares_the_clause_subject(analyze_text):
    art = analyze_text("Peter Walsh criticised the budget on Monday, adding that the cuts would hurt families.")
    st = statement_with(art, "the cuts would hurt families")
    assert speaker_name(art, st) == "Peter Walsh"


def test_said_according_to_an_outlet(analyze_text):
    art = analyze_text("The war will end soon, Sheikh Karim Nasser said, according to Press TV.")
    st = statement_with(art, "The war will end soon")
    assert speaker_name(art, st) == "Karim Nasser"
    assert [a.name for a in st.according_to] == ["Press TV"]


def test_a_quoted_phrase_is_never_a_person_speaker(nlp):
    # issue 8 §2: a name inside quotation marks is what was chanted, not who speaks
    from presslens.pipeline.attribution.tagger import _speaker

    attributor = nlp.get_pipe(next(n for n in nlp.pipe_names if n.startswith("presslens_attribution"))).attributor
    doc = nlp('Crowds chanted "Omar Farouk" all night. "Omar Farouk" was the cry, they said.')
    quoted = [doc[m.span.start : m.span.end] for e in doc._.pl_entities for m in e.mentions if e.name == "Omar Farouk"]
    assert quoted and all(_speaker(doc, [q], attributor.lexicon) == (None, "vague") for q in quoted)


def test_a_person_named_like_a_place_is_still_a_person(analyze_text):
    art = analyze_text("George Washington spoke in Washington. Washington said the war was over.")
    assert speaker_name(art, statement_with(art, "the war was over")) == "George Washington"


def test_a_cue_ending_its_paragraph_with_a_colon_takes_the_next_paragraphs_quotation(analyze_text):
    """'He said:' alone in its paragraph, the quotation opening the next one (before: no
    statement at all)."""
    art = analyze_text('date 2016-09-10 Example News - Senator Dana Whitfield spoke to reporters in Dayton on Friday.\n\n'
                       'She said:\n\n"We have a situation where our cities are failing, and nobody in Washington is '
                       'listening to them."\n\nThe campaign did not comment.')
    st = statement_with(art, "nobody in Washington is listening")
    assert st.kind == "direct" and source_text(art, st) == "She"
    assert speaker_name(art, st) == "Dana Whitfield"


def test_a_say_verb_before_its_speaker_and_a_colon(analyze_text):
    """'Said one resident: "..."': the words between the verb and the colon are the speaker,
    never part of the content (before: the content began with 'one resident:')."""
    art = analyze_text('The mayor left the meeting early. Said one resident: "Nobody asked us about the bridge at all."')
    st = statement_with(art, "Nobody asked us about the bridge")
    content = " ".join(art.text[s:e] for s, e in st.content)
    assert source_text(art, st) == "one resident" and "resident" not in content and st.kind == "direct"


def content_text(article, st) -> str:
    return " | ".join(article.text[s:e] for s, e in st.content)


def test_a_parenthetical_cue_splits_its_content_in_two(analyze_text):
    # issue 8 (content boundaries): "The big powers, he added, see ...": the words before the
    # cue are as much the content as those after it; a connective before it is the writer's
    art = analyze_text("Sheikh Naim Qassem spoke in Beirut on Tuesday. The big powers, he added, see the deal as a "
                       "defeat for the region. However, he said, the talks would go on.")
    st = statement_with(art, "see the deal as a defeat")
    assert content_text(art, st) == "The big powers | see the deal as a defeat for the region"
    assert speaker_name(art, st) == "Naim Qassem"
    later = statement_with(art, "the talks would go on")
    assert "However" not in content_text(art, later)


def test_a_subject_before_a_parenthetical_cue_takes_its_predicate(analyze_text):
    # "The bridge, Mayor Ann Cole said, would open in May": a content of a subject alone, with
    # no verb, runs on past the cue to the end of its sentence
    art = analyze_text("The new bridge over the river, Mayor Ann Cole said, would open to traffic in May.")
    st = statement_with(art, "would open to traffic")
    assert content_text(art, st) == "The new bridge over the river | would open to traffic in May"
    assert speaker_name(art, st) == "Ann Cole"


def _parsed(nlp, words, heads, deps, pos):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words, spaces=[not w.isspace() for w in words], heads=heads, deps=deps, pos=pos)


def test_a_parse_subject_never_reaches_across_a_line_break(nlp):
    """A parse that runs a heading into the paragraph under it gives no speaker from the
    heading, and a subject that spans a break keeps the words on the cue's line."""
    from presslens.pipeline.attribution.decode import parse_source

    # "Updates:\n\nCole questions it, urging calm." parsed with the heading as the subject
    words = ["Updates", ":", "\n\n", "Cole", "questions", "it", ",", "urging", "calm", "."]
    heads = [4, 0, 1, 4, 4, 4, 4, 4, 7, 4]
    deps = ["nsubj", "punct", "dep", "npadvmod", "ROOT", "dobj", "punct", "advcl", "dobj", "punct"]
    pos = ["NOUN", "PUNCT", "SPACE", "PROPN", "VERB", "PRON", "PUNCT", "VERB", "NOUN", "PUNCT"]
    doc = _parsed(nlp, words, heads, deps, pos)
    assert parse_source(doc, (7, 8)) is None
    # "7 p.m.\n\nCole says it is wrong." with the time read into the subject
    words = ["7", "p.m.", "\n\n", "Cole", "says", "it", "is", "wrong", "."]
    heads = [1, 3, 1, 4, 4, 6, 4, 6, 4]
    deps = ["nummod", "compound", "dep", "nsubj", "ROOT", "nsubj", "ccomp", "acomp", "punct"]
    pos = ["NUM", "NOUN", "SPACE", "PROPN", "VERB", "PRON", "AUX", "ADJ", "PUNCT"]
    doc = _parsed(nlp, words, heads, deps, pos)
    s, e = parse_source(doc, (4, 5))
    assert doc[s:e].text == "Cole"


@pytest.mark.parametrize("text, content, name", [
    ("Ms. Lena Park's statement said the factory would close in May.", "the factory would close", "Lena Park"),
    ("A letter from Mayor Ann Cole said the bridge would reopen in June.", "the bridge would reopen", "Ann Cole"),
    ("Senator Tom Reyes spoke on Monday. His letter said the plan was dead.", "the plan was dead", "Tom Reyes"),
])
def test_a_document_speaks_for_its_author(analyze_text, text, content, name):
    """Issue 8 §2 (possessives): "Ms. Park's statement said" is Ms. Park speaking, through her
    statement; "Mayor Cole's office said" stays the office (tested above with the campaign)."""
    art = analyze_text(text)
    st = statement_with(art, content)
    assert speaker_name(art, st) == name
    assert st.attribution == "named"


TRANSCRIPT = (
    "Governor Ann Cole spoke to Tom Reyes of Channel 4 on Sunday about the flood defences.\n\n"
    "UPDATE: The interview has been shortened.\n\n"
    "REYES: Governor, the river rose two metres last week. Why were the barriers still in storage?\n\n"
    "COLE: The barriers were ordered in March. The supplier delivered them late, and we put them up "
    "as soon as they arrived.\n\n"
    "Every town on the river had asked for them by then.\n\n"
    "(BEGIN VIDEO CLIP)\n\n"
    "REYES: Will you pay the farmers for their losses?\n\n"
    "COLE: We will pay every farm whose fields were flooded.\n"
)


def test_a_transcript_turn_is_its_speakers_statement(analyze_text):
    """Issue 8 §3 (text as it comes from the web): "COLE: ..." opening a paragraph is Cole's
    statement, the colon its cue; the paragraphs after a turn up to the next one are more of it
    (not a stage direction); a heading in capitals ("UPDATE: ...") is nobody's turn."""
    art = analyze_text(TRANSCRIPT)
    turns = [st for st in art.statements if [art.text[s:e] for s, e in st.cue] == [":"]]
    assert [source_text(art, st) for st in turns] == ["REYES", "COLE", "REYES", "COLE"]
    assert [speaker_name(art, st) for st in turns] == ["Tom Reyes", "Ann Cole", "Tom Reyes", "Ann Cole"]
    assert content_text(art, turns[1]) == ("The barriers were ordered in March. The supplier delivered them late, and we "
                                           "put them up as soon as they arrived | Every town on the river had asked for "
                                           "them by then")
    assert content_text(art, turns[3]) == "We will pay every farm whose fields were flooded"
    assert not any("interview has been shortened" in content_text(art, st) for st in art.statements)
    assert not any("BEGIN VIDEO" in content_text(art, st) for st in art.statements)


def test_a_label_in_capitals_that_names_nobody_is_no_turn(analyze_text):
    """A paragraph headed "BREAKING NEWS:" or by a one-off word in capitals that names nobody the
    article mentions ("SPORT: ...") is no transcript's turn."""
    art = analyze_text("SPORT: The city marathon moves to April.\n\nThe race draws twelve thousand runners.")
    assert not any([art.text[s:e] for s, e in st.cue] == [":"] for st in art.statements)
