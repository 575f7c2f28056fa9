"""presslens_names_v1: repairs of spaCy NER slips (issue 2 §4)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


def ents(nlp, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in nlp(text).ents]


def test_honorific_stays_outside_person_span(nlp):
    found = ents(nlp, "Mrs Clinton said she was concerned. Sheikh Naim Qassem spoke later.")
    assert ("Clinton", "PERSON") in found
    assert ("Naim Qassem", "PERSON") in found
    assert not any(text.startswith(("Mrs", "Sheikh")) for text, _ in found)


def test_title_and_honorific_make_a_person_of_a_mislabelled_name(nlp):
    found = ents(nlp, "Trump's spokesman said Mr. Trump and Prime Minister Theresa May met in London.")
    assert found.count(("Trump", "PERSON")) == 2
    assert ("Theresa May", "PERSON") in found


def test_al_names_joined_and_relabelled(nlp):
    text = (
        "Syrian President Bashar al-Assad met envoys on Monday. Al-Assad said the war was over. "
        "Abu Bakr al-Baghdadi and Osama bin Laden were named in the report."
    )
    found = ents(nlp, text)
    assert ("Bashar al-Assad", "PERSON") in found
    assert ("Al-Assad", "PERSON") in found  # spaCy says ORG
    assert ("Abu Bakr al-Baghdadi", "PERSON") in found
    assert ("Osama bin Laden", "PERSON") in found


def test_missed_surname_is_labelled_from_an_earlier_full_name(nlp):
    doc = nlp("Sheikh Naim Qassem spoke on Sunday. Qassem said the talks had failed.")
    persons = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert persons == ["Naim Qassem", "Qassem"]


def test_acronym_in_brackets_takes_the_label_of_its_name(nlp):
    found = ents(nlp, "Qassem criticised the United Arab Emirates (UAE) on Sunday. The UAE rejected it.")
    assert ("United Arab Emirates", "GPE") in found  # "the" is left out
    assert found.count(("UAE", "GPE")) == 2


def test_acronym_inside_a_span_is_split_off(nlp):
    found = ents(nlp, "The World Health Organization (WHO) said cases rose. WHO chief Tedros Adhanom Ghebreyesus spoke.")
    assert ("World Health Organization", "ORG") in found
    assert found.count(("WHO", "ORG")) == 2


def test_dateline_is_a_place_and_leaves_the_next_name_alone(nlp):
    found = ents(nlp, "DAMASCUS - Syrian troops advanced on Monday.")
    assert ("DAMASCUS", "GPE") in found
    assert ("Syrian", "NORP") in found
    assert ents(nlp, "BEIRUT (Reuters) - Talks resumed on Monday.")[0] == ("BEIRUT", "GPE")


def test_no_span_ends_with_a_possessive(nlp):
    doc = nlp("Trump's spokesman and Hezbollah's leader and the ministry's officials spoke. Assad's office agreed.")
    assert all(not e.text.endswith(("'s", "\u2019s")) for e in doc.ents)


def test_weekday_after_a_name_is_not_taken_into_it(nlp):
    found = ents(nlp, "The bill was signed by Donald Trump Tuesday in Washington.")
    assert ("Donald Trump", "PERSON") in found


def test_name_opening_with_a_first_name_is_a_person(nlp):
    # en_core_web_sm labels "Paul Renard" ORG here
    found = ents(nlp, 'The union has denounced the deal. Paul Renard said the deal was a stab in the back. '
                      'The Paul Allen Foundation gave money.')
    assert ("Paul Renard", "PERSON") in found
    assert not any(label == "PERSON" and "Foundation" in text for text, label in found)


def test_dateline_city_stays_a_place_where_ner_calls_it_a_person(nlp):
    doc = nlp("NORTHFIELD — The Northfield town council voted 5-2 on Wednesday to ban the software. "
              "Mrs. Dorsey said she wanted it.")
    assert [(e.text, e.label_) for e in doc.ents if "orthfield" in e.text.lower()] == [
        ("NORTHFIELD", "GPE"), ("Northfield", "GPE")]
    dorsey = next(e for e in doc._.pl_entities if e.name == "Dorsey")
    assert [m.span.text for m in dorsey.mentions] == ["Mrs. Dorsey", "she"]
