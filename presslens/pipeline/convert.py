"""The one boundary where Doc annotations become plain `presslens.types` data."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..types import Entity, Mention, Source, Statement, TimeExpression


def _offsets(spans: list[Span], shift: int) -> list[tuple[int, int]]:
    return [(s.start_char + shift, s.end_char + shift) for s in spans]


def doc_parts(doc: Doc, shift: int = 0) -> tuple[list[Entity], list[Statement], list[TimeExpression]]:
    """Entities, statements and times of `doc`, with offsets moved by `shift` characters.

    `shift` is the position of this Doc in the article when a long article is analysed in parts.
    """
    entities = [
        Entity(
            id=e.id,
            name=e.name,
            type=e.type,
            mentions=[
                Mention(m.span.start_char + shift, m.span.end_char + shift, m.kind, m.span.text)
                for m in e.mentions
            ],
            roles=list(e.roles),
            titles=list(e.titles),
            of=e.of,
        )
        for e in doc._.pl_entities or []
    ]
    statements = [
        Statement(
            id=f"s{i}",
            content=_offsets(s.content, shift),
            cue=_offsets(s.cue, shift),
            source=_offsets(s.source, shift),
            speaker=s.speaker,
            kind=s.kind,
            attribution=s.attribution,
            according_to=[
                Source(
                    name=a.name,
                    span=(a.span.start_char + shift, a.span.end_char + shift) if a.span is not None else None,
                    entity=a.entity,
                )
                for a in s.according_to
            ],
            confidence=s.confidence,
        )
        for i, s in enumerate(doc._.pl_statements or [], start=1)
    ]
    times = [
        TimeExpression(t.span.start_char + shift, t.span.end_char + shift, t.span.text, t.value, t.granularity)
        for t in doc._.pl_times or []
    ]
    return entities, statements, times


def merge_parts(parts: list[tuple[list[Entity], list[Statement], list[TimeExpression]]]):
    """Join the results of an article analysed in parts, renumbering ids.

    Entities with the same canonical name and type in different parts become one entity.
    """
    entities: list[Entity] = []
    by_key: dict[tuple[str, str], Entity] = {}
    statements: list[Statement] = []
    times: list[TimeExpression] = []
    for part_entities, part_statements, part_times in parts:
        id_map: dict[str, str] = {}
        for e in part_entities:
            old_id, key = e.id, (e.name, e.type)
            if key in by_key:
                target = by_key[key]
                target.mentions.extend(e.mentions)
                target.roles.extend(r for r in e.roles if r not in target.roles)
                target.titles.extend(t for t in e.titles if t not in target.titles)
            else:
                target = by_key[key] = e
                entities.append(e)
                e.id = f"e{len(entities)}"
            id_map[old_id] = target.id
        for e in part_entities:
            if e.of is not None and e.of in id_map:
                (by_key[(e.name, e.type)]).of = id_map[e.of]
        for s in part_statements:
            s.speaker = id_map.get(s.speaker) if s.speaker else None
            for a in s.according_to:
                a.entity = id_map.get(a.entity) if a.entity else None
            s.id = f"s{len(statements) + 1}"
            statements.append(s)
        times.extend(part_times)
    return entities, statements, times

