"""Hostile input: thousands of malformed, hostile and extreme files in every input format, through
the readers, the full pipeline and the store. Issue 11: 0 crashes, 0 hangs over 60 s, and every
record analyzed or rejected with its location.

    python benchmarks/fuzz_inputs.py                  # 2,016 files, seed 11
    python benchmarks/fuzz_inputs.py --files 300 --seed 3

For each file: `presslens.iter_records([file])` through `presslens.analyze_many` (a crash is an
exception that escapes them; a hang is a gap of more than 60 s between two results), then
every line of a line format (dateline, JSON Lines) must come back as an article or a reject
named `file:line`, and every other file as at least one. Then the whole folder is ingested into
a store (the analyses taken from the first pass, so this checks the store's side: hashing,
writing, indexing) and the store is checked (`Corpus.check`). The files are made here from
invented text, with a fixed seed. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    '"We will rebuild the bridge before winter," Jane Holloway said.',
    "The council met on Monday, according to Reuters.",
    '"Nobody asked us," said one resident, who declined to give her name.',
    "Officials said the plan would cost 3 million dollars next year.",
    'Tom Briggs told reporters: "The vote is tomorrow."',
]
HOSTILE_TEXT = [
    lambda r: '"' * r.randint(64, 20_000),  # quadratic tokenizer time, before issue 11
    lambda r: "\u201c" * r.randint(100, 5_000) + " said Ann.",
    lambda r: "\x1b]0;title\x07\x1b[2J\x1b[31m" + r.choice(SENTENCES),  # terminal escapes
    lambda r: "\u202e" + r.choice(SENTENCES) + "\u2066",  # bidi overrides
    lambda r: "".join(chr(r.randint(1, 0x2FFFF)) for _ in range(r.randint(1, 400))).replace("\x00", ""),
    lambda r: " ".join(r.choice(SENTENCES) for _ in range(r.randint(1, 400))),  # up to ~25k chars
    lambda r: "\n" * r.randint(1, 5_000) + r.choice(SENTENCES),
    lambda r: "(" * 3_000 + "x" + ")" * 3_000,
    lambda r: r.choice(SENTENCES) * r.randint(1, 50) + "\ufffd\ufeff\u200b",
    lambda r: "😀" * r.randint(1, 3_000),
    lambda r: "a" * r.randint(1_000, 30_000),  # one long word
    # many speakers with no antecedent, on one line (quadratic in the speakers before 3181374:
    # 2,000 took 110 s); heavy-tailed, up to 4,000 (~100k characters)
    lambda r: "He said the plan works. " * min(4_000, int(50 * r.paretovariate(1.2))),
    lambda r: r.choice(SENTENCES).replace(" ", "\u00a0"),
    lambda r: "   \t  ",  # nothing but white space
    lambda r: "",
]
DATES = ["2020-09-15", "9999-12-31", "0001-01-01", "2020-02-30", "15 September 2020", "yesterday", "", None, 20200915,
         "2020-09-15T10:00:00Z", "99999-01-01", "\ud800", [], {}]


def text(r: random.Random) -> str:
    if r.random() < 0.5:
        return r.choice(HOSTILE_TEXT)(r)
    return " ".join(r.choice(SENTENCES) for _ in range(r.randint(1, 8)))


def field(r: random.Random, value):
    """A JSON value that is sometimes not what the field should hold."""
    roll = r.random()
    if roll < 0.05:
        return "[" * 5_000 + "]" * 5_000  # (as text: nested when not quoted)
    if roll < 0.10:
        return {"deep": [[[[[1]]]]]}
    if roll < 0.13:
        return 3.5e308
    return value


def json_record(r: random.Random, n: int) -> str:
    if r.random() < 0.05:
        return "[" * r.randint(1_000, 200_000) + "]" * r.randint(0, 200_000)  # nested past the limit
    if r.random() < 0.05:
        return '{"id": "s%d", "text": "%s \\ud800 \\udfff lone", "title": "\\udbff"}' % (n, r.choice(SENTENCES).replace('"', "'"))
    record = {"id": field(r, f"r{n}"), "text": field(r, text(r)), "published": r.choice(DATES),
              "outlet": field(r, r.choice(["Wire", "Daily Planet", "\x1b[31mRed\x1b[0m", ""])),
              "title": field(r, "Title"), "url": field(r, "http://example.com/" + "a" * r.randint(0, 3_000))}
    line = json.dumps(record, ensure_ascii=r.random() < 0.5)
    if r.random() < 0.08:
        line = line[: r.randint(0, len(line))]  # cut short
    return line


def csv_file(r: random.Random, n: int, sep: str) -> str:
    rows = [sep.join(r.choice([["id", "text", "published"], ["id", "body"], ["text"], ["id", "text", "outlet", "x"]]))]
    for i in range(r.randint(0, 6)):
        body = text(r)
        roll = r.random()
        if roll < 0.15:
            body = '"' + body  # a quote left open
        elif roll < 0.25:
            body = '"' + body.replace('"', '""') + '"'
        elif roll < 0.30:
            body = body + '"' + "x"
        rows.append(sep.join([f"{n}-{i}", body.replace("\n", " ") if r.random() < 0.5 else body,
                              r.choice([d for d in DATES if isinstance(d, str)])]))
    return "\n".join(rows) + r.choice(["\n", "", "\r\n"]), len(rows) - 1


def html_file(r: random.Random) -> str:
    body = "".join(f"<p>{text(r)}</p>" for _ in range(r.randint(0, 4)))
    parts = ["<!doctype html><html><head>", f"<title>{text(r)[:200]}</title>",
             f'<meta property="article:published_time" content="{r.choice([d for d in DATES if isinstance(d, str)])}">',
             "</head><body><article>", body, "<div>" * r.randint(0, 3_000), "</article>"]
    if r.random() < 0.5:
        parts.append("</body></html>")
    return "".join(parts)


def encode(r: random.Random, data: str) -> bytes:
    roll = r.random()
    if roll < 0.05:
        return codecs.BOM_UTF16_LE + data.encode("utf-16-le", "replace")
    if roll < 0.10:
        return data.encode("cp1252", "replace")
    if roll < 0.13:
        raw = bytearray(data.encode("utf-8", "replace"))
        for _ in range(r.randint(1, 20)):  # stray bytes: invalid UTF-8, undefined cp1252, NUL
            if raw:
                raw[r.randrange(len(raw))] = r.choice([0x81, 0x8D, 0xFF, 0xC3, 0x00])
        return bytes(raw)
    if roll < 0.15:
        return codecs.BOM_UTF8 + data.encode("utf-8", "replace")
    return data.encode("utf-8", "surrogatepass" if r.random() < 0.02 else "replace")


def make(folder: Path, count: int, seed: int) -> list[tuple[Path, str, int]]:
    """The files, each with its kind and how many records were written into it."""
    r = random.Random(seed)
    kinds = ["txt", "dateline", "jsonl", "json", "csv", "tsv", "html", "sniffed", "binary"]
    made = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        records = 1
        if kind == "txt":
            data, name = text(r), f"{n}.txt"
        elif kind == "dateline":
            lines = [f"date {r.choice([d for d in DATES if isinstance(d, str) and d])} Outlet {n} - {text(r)}"
                     if r.random() < 0.85 else text(r) for _ in range(r.randint(1, 5))]
            data, name = "\n".join(x.replace("\n", " ") for x in lines), f"{n}.txt"
        elif kind == "jsonl":
            data, name = "\n".join(json_record(r, i) for i in range(r.randint(1, 5))), f"{n}.jsonl"
        elif kind == "json":
            items = [json_record(r, i) for i in range(r.randint(0, 4))]
            whole = r.random() < 0.7
            data = ("[" + ",".join(items) + "]") if whole else (items[0] if items else "")
            name, records = f"{n}.json", len(items) if whole else min(1, len(items))
        elif kind in ("csv", "tsv"):
            (data, records), name = csv_file(r, n, "," if kind == "csv" else "\t"), f"{n}.{kind}"
        elif kind == "html":
            data, name = html_file(r), f"{n}.html"
        elif kind == "sniffed":
            data, records = r.choice([(json_record(r, 0), 1), (html_file(r), 1), csv_file(r, n, ","), (text(r), 1)])
            name = f"{n}.data"
        else:
            (folder / f"{n}.txt").write_bytes(bytes(r.randrange(256) for _ in range(r.randint(0, 5_000))))
            made.append((folder / f"{n}.txt", kind, 1))
            continue
        path = folder / name
        path.write_bytes(encode(r, data))
        made.append((path, kind, records))
    return made


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=2_016)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--hang", type=float, default=60.0, help="seconds between two results that count as a hang")
    ap.add_argument("--out", default=None, help="write the summary (JSON) here")
    args = ap.parse_args()

    import presslens
    from presslens.corpus import ingest as ingest_module
    from presslens.corpus.dedup import signature
    from presslens.pipeline import build

    nlp = build.load()
    tmp = Path(tempfile.mkdtemp(prefix="presslens-fuzz-"))
    folder = tmp / "in"
    folder.mkdir()
    made = make(folder, args.files, args.seed)
    summary = {"files": len(made), "by_kind": {}, "crashes": [], "hangs": [], "unaccounted": [],
               "empty_files": 0, "records": 0, "articles": 0, "rejects": 0, "slowest_s": 0.0, "slowest_file": None}
    analyzed: dict[str, dict] = {}
    started = time.monotonic()
    for path, kind, records in made:
        summary["by_kind"][kind] = summary["by_kind"].get(kind, 0) + 1
        read: list[str] = []  # the location of every record and reject the reader gave

        def reading(items):
            for item in items:
                read.append(item.location)
                yield item

        outputs = 0
        last = time.monotonic()
        try:
            for item in presslens.analyze_many(reading(presslens.iter_records([str(path)])), nlp=nlp):
                gap = time.monotonic() - last
                last = time.monotonic()
                if gap > summary["slowest_s"]:
                    summary["slowest_s"], summary["slowest_file"] = round(gap, 2), path.name
                if gap > args.hang:
                    summary["hangs"].append(f"{path.name}: {gap:.0f} s")
                outputs += 1
                if isinstance(item, presslens.Reject):
                    summary["rejects"] += 1
                    if not item.location.startswith(str(path)):
                        summary["unaccounted"].append(f"{path.name}: a reject without its location: {item}")
                else:
                    summary["articles"] += 1
                    doc = item.to_dict()
                    presslens.validate(doc)
                    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # writable
                    analyzed[item.id] = doc
        except Exception as exc:  # noqa: BLE001  (that is what is counted)
            summary["crashes"].append(f"{path.name} ({kind}): {type(exc).__name__}: {str(exc)[:200]}")
            continue
        summary["records"] += len(read)
        if outputs != len(read):
            summary["unaccounted"].append(f"{path.name}: {len(read)} records read, {outputs} results")
        if not read and records and path.read_bytes().strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
            summary["unaccounted"].append(f"{path.name} ({kind}): {records} records written, "
                                          "neither an article nor a reject")
        summary["empty_files"] += not records
        if kind in ("dateline", "jsonl") and read and read[0] != str(path):  # a line format, read as one
            lines = path.read_bytes().split(b"\n")
            named = {loc.rsplit(":", 1)[-1] for loc in read}
            missing = [n for n, line in enumerate(lines, 1) if line.strip(b" \t\r\x00") and str(n) not in named]
            if missing and not path.read_bytes().startswith(codecs.BOM_UTF16_LE):
                summary["unaccounted"].append(f"{path.name}: lines {missing[:5]} neither analyzed nor rejected")
    summary["analyze_s"] = round(time.monotonic() - started, 1)

    class Analyzed:  # the store's side: analyses from the pass above
        def map(self, batches):
            for batch in batches:
                out = []
                for rec in batch:
                    doc = analyzed.get(rec.id)
                    if doc is None or doc["text"] != rec.text:
                        out.append({"record": rec, "reject": "not analyzed in the first pass"})
                    else:
                        out.append({"record": rec, "article": doc, "signature": signature(doc["text"])})
                yield out

        def close(self):
            pass

    db = tmp / "fuzz.duckdb"
    try:
        report = ingest_module.ingest(db, [str(folder)], executor=Analyzed(), progress=False)
        summary["ingest"] = {k: report.to_dict()[k] for k in ("read", "added", "duplicates", "rejected", "statements")}
        check = presslens.Corpus(db, read_only=True).check()
        summary["check_ok"] = check["ok"]
    except Exception as exc:  # noqa: BLE001
        summary["crashes"].append(f"ingest: {type(exc).__name__}: {str(exc)[:300]}")
    summary["ok"] = not (summary["crashes"] or summary["hangs"] or summary["unaccounted"])
    text_out = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text_out)
    if args.out:
        Path(args.out).write_text(text_out + "\n", encoding="utf-8")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
