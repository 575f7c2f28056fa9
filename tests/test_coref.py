"""presslens_coref_v1: entities and in-article coreference on hand-written articles (issue 2 §4).

Each article is invented for these tests, in the style of wire copy. The key chains are
asserted exactly, mention by mention, in text order, as `(text, kind)` pairs.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model

HEZBOLLAH = (
    "BEIRUT (Reuters) - The deputy head of Lebanon's resistance movement Hezbollah said on Sunday "
    "that the group would not be drawn into a wider war. Sheikh Naim Qassem told a rally in the "
    'southern suburbs that Israel "will pay a heavy price" for any attack. He said the group\'s '
    'fighters were ready. "We are not afraid," Qassem said. The Hezbollah official added that talks '
    "had stalled. Sheikh Qassem also criticised the United Arab Emirates (UAE) for normalising ties "
    "with Israel. The UAE said it rejected the accusation."
)

SENATOR = (
    "WASHINGTON (AP) - Sen. Elizabeth Warren on Tuesday accused the Trump administration of ignoring "
    "the crisis. The Massachusetts Democrat said she would introduce a bill next week. Warren told "
    'reporters that President Donald Trump had "failed the American people." Trump\'s spokesman, '
    "Hogan Gidley, said the senator was playing politics. Gidley added that he expected the bill to "
    'fail. Mr. Trump later tweeted that she was "a fraud."'
)

DEBATE = (
    "NEW YORK - Hillary Clinton and Bernie Sanders clashed over health care at a debate on Thursday. "
    "Clinton said her plan would cover everyone. Sanders rejected the claim. He said the former "
    "secretary of state had taken money from drug companies. She called his proposal unrealistic."
)

SYRIA = (
    "DAMASCUS - Syrian President Bashar al-Assad met Iranian Foreign Minister Mohammad Javad Zarif on "
    "Monday. Al-Assad said his government would keep fighting terrorism. Zarif, who arrived on Sunday, "
    "said Iran stands with Syria. The Iranian minister said he would return next month. Assad's office "
    "called the talks constructive."
)

AGENCY = (
    "GENEVA - The World Health Organization (WHO) said on Monday that cases had risen sharply. The "
    "agency urged governments to act. WHO Director-General Tedros Adhanom Ghebreyesus told a briefing "
    'that the virus was spreading fast. "We are worried," Tedros said. A spokeswoman for the agency, '
    "Margaret Harris, said she expected more cases."
)


def entities(doc):
    return {e.name: e for e in doc._.pl_entities}


def chain(doc, name):
    entity = entities(doc)[name]
    return [(m.span.text, m.kind) for m in entity.mentions]


@pytest.fixture(scope="module")
def hezbollah(nlp):
    return nlp(HEZBOLLAH)


def test_role_introduces_the_person_named_next(hezbollah):
    assert chain(hezbollah, "Naim Qassem") == [
        ("The deputy head of Lebanon's resistance movement Hezbollah", "role"),
        ("Sheikh Naim Qassem", "name"),
        ("He", "pronoun"),
        ("Qassem", "name"),
        ("The Hezbollah official", "role"),
        ("Sheikh Qassem", "name"),
    ]
    qassem = entities(hezbollah)["Naim Qassem"]
    assert qassem.type == "PERSON"
    assert qassem.titles == ["Sheikh"]
    assert qassem.roles == ["deputy head of Lebanon's resistance movement Hezbollah", "Hezbollah official"]


def test_acronym_in_brackets_is_the_same_entity(hezbollah):
    assert chain(hezbollah, "United Arab Emirates") == [
        ("United Arab Emirates", "name"),
        ("UAE", "name"),
        ("UAE", "name"),
        ("it", "pronoun"),
    ]
    assert entities(hezbollah)["United Arab Emirates"].type == "GPE"


def test_ids_follow_first_mention_and_pronoun_we_in_quotes_is_left_alone(hezbollah):
    ents = hezbollah._.pl_entities
    assert [e.id for e in ents] == [f"e{n}" for n in range(1, len(ents) + 1)]
    starts = [e.mentions[0].span.start for e in ents]
    assert starts == sorted(starts)
    assert all(m.span.text != "We" for e in ents for m in e.mentions)
    # every mention of a Doc belongs to one entity at most
    spans = [(m.span.start, m.span.end) for e in ents for m in e.mentions]
    assert len(spans) == len(set(spans))


def test_senator_story(nlp):
    doc = nlp(SENATOR)
    assert chain(doc, "Elizabeth Warren") == [
        ("Sen. Elizabeth Warren", "title"),
        ("The Massachusetts Democrat", "role"),
        ("she", "pronoun"),
        ("Warren", "name"),
        ("the senator", "role"),
        ("she", "pronoun"),
    ]
    assert chain(doc, "Donald Trump") == [
        ("Trump", "name"),
        ("President Donald Trump", "title"),
        ("Trump", "name"),
        ("Mr. Trump", "name"),
    ]
    assert chain(doc, "Hogan Gidley") == [
        ("Trump's spokesman", "role"),
        ("Hogan Gidley", "name"),
        ("Gidley", "name"),
        ("he", "pronoun"),
    ]
    warren = entities(doc)["Elizabeth Warren"]
    assert warren.titles == ["Sen."]
    assert entities(doc)["Donald Trump"].titles == ["President", "Mr."]


def test_two_people_of_different_genders(nlp):
    doc = nlp(DEBATE)
    assert chain(doc, "Hillary Clinton") == [
        ("Hillary Clinton", "name"), ("Clinton", "name"), ("her", "pronoun"), ("She", "pronoun"),
    ]
    assert chain(doc, "Bernie Sanders") == [
        ("Bernie Sanders", "name"), ("Sanders", "name"), ("He", "pronoun"), ("his", "pronoun"),
    ]
    # "the former secretary of state" is left unresolved rather than guessed: nothing names her so
    assert all(m.kind != "role" for e in doc._.pl_entities for m in e.mentions)


def test_al_names_and_titles(nlp):
    doc = nlp(SYRIA)
    assert chain(doc, "Bashar al-Assad") == [
        ("Syrian President Bashar al-Assad", "title"),
        ("Al-Assad", "name"),
        ("his", "pronoun"),
        ("Assad", "name"),
    ]
    assert chain(doc, "Mohammad Javad Zarif") == [
        ("Iranian Foreign Minister Mohammad Javad Zarif", "title"),
        ("Zarif", "name"),
        ("The Iranian minister", "role"),
        ("he", "pronoun"),
    ]
    assert entities(doc)["Bashar al-Assad"].titles == ["Syrian President"]
    assert entities(doc)["Mohammad Javad Zarif"].titles == ["Iranian Foreign Minister"]


def test_organisation_acronym_and_role(nlp):
    doc = nlp(AGENCY)
    assert chain(doc, "World Health Organization") == [
        ("World Health Organization", "name"),
        ("WHO", "name"),
        ("The agency", "role"),
        ("WHO", "name"),
        ("the agency", "role"),
    ]
    assert chain(doc, "Tedros Adhanom Ghebreyesus") == [
        ("WHO Director-General Tedros Adhanom Ghebreyesus", "title"),
        ("Tedros", "name"),
    ]
    assert chain(doc, "Margaret Harris") == [
        ("A spokeswoman for the agency", "role"),
        ("Margaret Harris", "name"),
        ("she", "pronoun"),
    ]


def test_object_pronoun_is_not_its_verbs_subject(nlp):
    doc = nlp("Mr. Johnson met Mr. Brown on Friday. Johnson praised him warmly.")
    assert chain(doc, "Brown") == [("Mr. Brown", "name"), ("him", "pronoun")]
    assert chain(doc, "Johnson") == [("Mr. Johnson", "name"), ("Johnson", "name")]


def test_pronoun_needs_a_compatible_antecedent(nlp):
    doc = nlp("Mrs. Patel arrived late. He said the meeting had ended.")
    assert chain(doc, "Patel") == [("Mrs. Patel", "name")]


def test_different_first_names_are_different_people(nlp):
    doc = nlp("Donald Trump praised Ivanka Trump on Monday. Ivanka Trump thanked her father.")
    assert len([e for e in doc._.pl_entities if e.type == "PERSON"]) == 2
    assert chain(doc, "Ivanka Trump")[:2] == [("Ivanka Trump", "name"), ("Ivanka Trump", "name")]


def test_article_entities_carry_offsets(analyze_text):
    article = analyze_text(SENATOR)
    warren = next(e for e in article.entities if e.name == "Elizabeth Warren")
    assert warren.mentions[0].kind == "title"
    first = warren.mentions[0]
    assert SENATOR[first.start : first.end] == "Sen. Elizabeth Warren"
    assert warren.to_dict()["titles"] == ["Sen."]


def test_pronouns_inside_quotes_are_left_to_attribution(nlp):
    doc = nlp('Mr. Smith met Mr. Jones on Monday. "He is a liar," Smith said.')
    assert chain(doc, "Smith") == [("Mr. Smith", "name"), ("Smith", "name")]
    assert chain(doc, "Jones") == [("Mr. Jones", "name")]


def test_empty_and_nameless_texts(nlp):
    assert nlp("")._.pl_entities == []
    assert nlp("He said it would rain.")._.pl_entities == []


def test_lexicons_load_and_are_consistent():
    from presslens.pipeline.entities import lexicons

    lex = lexicons.load()
    assert lex.honorifics["sheikh"] == "m" and lex.honorifics["mrs."] == "f"
    assert set(lex.honorifics.values()) <= {"m", "f", "-"}
    assert set(lex.role_nouns.values()) <= {"m", "f", "-"}
    assert set(lex.first_names.values()) <= {"m", "f"}
    assert lex.role_key("Sen.") == "senator"
    assert lex.generic_roles <= set(lex.role_nouns)


def test_role_phrase_stops_before_a_misparsed_clause(nlp):
    # spaCy sm parses "Agrifront has denounced ..." as a relative clause of "union"; the role
    # phrase must still end at the name, not run to the end of the sentence
    doc = nlp('The deputy head of the country\'s farmers union Agrifront has denounced as "a betrayal '
              'of growers" the latest moves by the cabinet. Sheikh Paul Renard said the deal was a stab in the back.')
    assert chain(doc, "Paul Renard")[:2] == [
        ("The deputy head of the country's farmers union Agrifront", "role"),
        ("Sheikh Paul Renard", "name"),
    ]
    assert entities(doc)["Paul Renard"].roles == ["deputy head of the country's farmers union Agrifront"]


def test_role_waits_for_the_next_sentence_past_a_name_in_its_own(nlp):
    # "Tell" (of the Tell Abyad dam) is a PERSON to spaCy sm: the role must not take it
    doc = nlp("The deputy head of the regional water authority said the reservoirs behind the Tell "
              "Abyad dam had fallen to 31 percent. Dr. Amina Haddad told reporters that the situation "
              'was serious. "We have had three dry winters," Dr. Haddad said. The water official added '
              "that a station could be built.")
    assert chain(doc, "Amina Haddad") == [
        ("The deputy head of the regional water authority", "role"),
        ("Dr. Amina Haddad", "name"),
        ("Dr. Haddad", "name"),
        ("The water official", "role"),
    ]


def test_later_role_finds_the_words_of_an_appositive_role(nlp):
    # the appositive role joins its name at once, so "the mayor" two sentences on finds "mayor"
    doc = nlp("The mayor of Port Ainsley, Mr. Victor Lunde, said on Tuesday he would not seek a third "
              "term. Dr. Yuki Tanabe said she was not opposed. \u201cI have given this city eight years,\u201d "
              "the mayor said.")
    assert ("the mayor", "role") in chain(doc, "Victor Lunde")
    assert [m for m in chain(doc, "Yuki Tanabe") if m[1] == "role"] == []
