"""TEMPORARY in-memory stand-in for presslens.Corpus until the corpus branch is merged."""

from __future__ import annotations

import presslens


def _join(text, spans):
    return " … ".join(text[s:e] for s, e in spans)


class FakeCorpus:
    def __init__(self, lines: list[str]):
        self.articles = {}
        self.rows = []
        for i, line in enumerate(lines):
            a = presslens.analyze(line, id=f"a{i + 1}").to_dict()
            a["id"] = f"a{i + 1}"
            self.articles[a["id"]] = a
            ents = {e["id"]: e for e in a["entities"]}
            for st in a["statements"]:
                sp = ents.get(st["speaker"])
                self.rows.append({
                    "article_id": a["id"], "statement_id": st["id"], "outlet": a["outlet"],
                    "published": a["published"], "title": a["title"], "speaker": sp["name"] if sp else None,
                    "speaker_entity": st["speaker"], "kind": st["kind"], "attribution": st["attribution"],
                    "content": _join(a["text"], st["content"]), "cue": _join(a["text"], st["cue"]),
                    "according_to": [s["name"] for s in st["according_to"]], "confidence": st["confidence"],
                    "score": None,
                })

    def _filter(self, text=None, speaker=None, outlet=None, since=None, until=None, kind=None):
        out = []
        for r in self.rows:
            if text and not all(w.lower() in r["content"].lower() for w in text.replace('"', "").split()):
                continue
            if speaker and (r["speaker"] or "").lower() != speaker.lower():
                continue
            if outlet and (r["outlet"] or "").lower() != outlet.lower():
                continue
            if kind and r["kind"] != kind:
                continue
            if since and (r["published"] or "") < since:
                continue
            if until and (r["published"] or "9999") > until:
                continue
            out.append(r)
        return out

    def stats(self):
        pubs = sorted(a["published"] for a in self.articles.values() if a["published"])
        return {"articles": len(self.articles), "stories": len(self.articles), "statements": len(self.rows),
                "speakers": len({r["speaker"] for r in self.rows if r["speaker"]}),
                "outlets": len({a["outlet"] for a in self.articles.values()}), "rejects": 0,
                "first_published": pubs[0] if pubs else None, "last_published": pubs[-1] if pubs else None}

    def quotes(self, text=None, *, limit=50, offset=0, **f):
        return self._filter(text, **f)[offset:offset + limit]

    def quote_facets(self, text=None, **f):
        rows = self._filter(text, **f)
        out = {}
        for name, key in (("speaker", lambda r: r["speaker"]), ("outlet", lambda r: r["outlet"]),
                          ("kind", lambda r: r["kind"]), ("month", lambda r: (r["published"] or "")[:7] or None)):
            counts = {}
            for r in rows:
                if key(r) is not None:
                    counts[key(r)] = counts.get(key(r), 0) + 1
            out[name] = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda x: -x[1])]
        return out

    def speakers(self, *, by=None, since=None, until=None, outlet=None, limit=None):
        counts = {}
        for r in self._filter(None, outlet=outlet, since=since, until=until):
            if r["speaker"]:
                k = (r["speaker"], r["outlet"]) if by == "outlet" else (r["speaker"],)
                counts[k] = counts.get(k, 0) + 1
        rows = [dict(zip(["speaker", "outlet"], k), statements=n, articles=n, stories=n) for k, n in counts.items()]
        rows.sort(key=lambda r: -r["statements"])
        return iter(rows[:limit] if limit else rows)

    def sources(self, *, since=None, until=None):
        counts = {}
        for r in self._filter(None, since=since, until=until):
            for s in r["according_to"]:
                counts[(r["outlet"], s)] = counts.get((r["outlet"], s), 0) + 1
        return iter([{"outlet": o, "source": s, "statements": n} for (o, s), n in counts.items()])

    def timeline(self, speaker, *, outlet=None, since=None, until=None):
        keys = ["published", "article_id", "outlet", "title", "statement_id", "kind", "speaker", "content"]
        return iter([{k: r[k] for k in keys} for r in self._filter(None, speaker=speaker, outlet=outlet,
                                                                     since=since, until=until)])

    def article(self, article_id):
        return self.articles.get(article_id)

    def counts_over_time(self, *, by="month"):
        out = {}
        for a in self.articles.values():
            p = (a["published"] or "")[:7]
            out.setdefault(p, {"period": p, "articles": 0, "statements": 0})
            out[p]["articles"] += 1
            out[p]["statements"] += len(a["statements"])
        return sorted(out.values(), key=lambda r: r["period"])
