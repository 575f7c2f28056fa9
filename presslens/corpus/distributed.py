"""The Ray engine: `presslens ingest --engine ray`, the same analysis on a cluster.

    input files --(Ray tasks: read, extract, hash)--> records
                --(Ray Data map_batches, an actor pool: one pipeline per actor)--> Parquet shards
                --(the driver: shards.load)--> the corpus (dedup, stories, full-text index)

- Reading runs in Ray tasks, one per input file, so WARC decompression and trafilatura spread
  over the cluster too. A record whose location is already in the corpus or in the shards is
  not extracted again (resume); a text already stored becomes a `copy` row, not analyzed again.
- Analysis: `map_batches` with the callable class `Analyzer` in an `ActorPoolStrategy` pool.
  Each actor builds the spaCy/presslens pipeline once in `__init__` (it never travels through
  the object store) and analyses with `executor.analyze_batch`, the function the local pool
  runs, so both engines give the same `presslens/1` JSON. Ray batches hold `batch_articles`
  records; inside an actor they go to spaCy in groups of at most `batch_chars` characters.
- Each Ray batch becomes one shard (see shards.py), written atomically, so a killed run keeps
  every batch it finished; the driver only sees a few counts per record (progress).

Files must be readable from every node: a shared file system, or fsspec URLs (`s3://...`).
"""

from __future__ import annotations

import gc
import json
import os
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..about import pipeline_version
from ..errors import Errors, UsageError
from ..options import Options  # no spaCy: a reading task imports this module
from ..types import Origin, Record, Reject, Skip
from . import shards, store

BATCH_ARTICLES = 16
BATCH_CHARS = 200_000
# Ray runs its workers at nice 15 by default; on one machine the analysis would then yield to
# everything else, the ingest process that waits for it included. The local pool runs at the
# user's priority, and so does a runtime presslens starts (a cluster sets it with
# RAY_worker_niceness=0 on `ray start`, docs/scale.md).
SYSTEM_CONFIG = {"worker_niceness": 0}


def input_files(paths: Iterable[str], passed_over: list[str] | None = None) -> list[str]:
    """The files `inputs.iter_records(paths)` reads, named as it names them (globs expanded,
    folders walked); `passed_over` gets the files of walked folders that it passes over (an
    extension presslens does not read), which it counts as skips."""
    from ..inputs import readers as inputs

    files: list[str] = []
    for path in paths:
        if path == "-":
            raise UsageError(Errors.E330)
        names = inputs._expand(path)
        if not names:
            raise UsageError(Errors.E016.format(path=path))
        for name in names:
            if inputs._is_url(name):
                files.append(name)
            else:
                for f, readable in inputs._walk(name):
                    if readable:
                        files.append(str(f))
                    elif passed_over is not None:
                        passed_over.append(str(f))
    return files


def _record_from_json(d: dict[str, Any]) -> Record:
    origin = d.pop("origin", None)
    return Record(**{**d, "warnings": tuple(d.get("warnings") or ()), "origin": Origin(**origin) if origin else None})


def _value(arg: Any) -> Any:
    """An argument of a reading task, fetched when Ray passes it as an ObjectRef (put in the
    object store once, shared by every task)."""
    if type(arg).__name__ != "ObjectRef":
        return arg
    import ray

    return ray.get(arg)


def read_unit(unit: dict[str, Any], held: Any, metadata: Any = None) -> Iterator[dict[str, Any]]:
    """The rows of one input file: records to analyze, copies, rejects and skips (Ray task).
    `held`: the sorted hash prefixes of the texts already analyzed; `metadata`: the `--metadata`
    rows (presslens.inputs.metadata), applied as the local ingest applies them."""
    import numpy as np

    from ..inputs.metadata import apply_metadata
    from ..inputs.readers import iter_records, not_input

    held, metadata = _value(held), _value(metadata)
    cwd = unit.get("cwd")
    if cwd and os.path.isdir(cwd) and os.getcwd() != cwd:
        os.chdir(cwd)  # relative paths name the same files on the driver's machine (and in locations)
    path, done = unit["path"], set(unit["done"])
    if unit.get("not_input"):  # passed over by the folder walk, as iter_records does
        items: Iterable[Record | Reject | Skip] = [not_input(Path(path))]
    else:
        items = iter_records([path], unit.get("input_format"), unit.get("mapping"), done=done)
    for seq, item in enumerate(apply_metadata(items, metadata)):
        base = {"location": item.location, "input_file": path, "seq": seq}
        if isinstance(item, Skip):
            out = {**base, "kind": "skip", "reason": item.reason, "detail": item.detail, "record_id": item.id}
        elif isinstance(item, Reject):
            out = {**base, "kind": "reject", "reason": item.reason, "record_id": item.id}
        elif item.location in done:
            out = {**base, "kind": "skip", "reason": "stored", "record_id": item.id}
        elif not store.normalize(item.text):
            out = {**base, "kind": "reject", "reason": "empty text", "record_id": item.id}
        else:
            h = store.content_hash(item.text)
            prefix = np.uint64(int(h[:16], 16))
            i = int(np.searchsorted(held, prefix))
            if i < len(held) and held[i] == prefix:
                out = {**base, "kind": "copy", "content_hash": h, "record_id": item.id}
            else:
                out = {**base, "kind": "record", "content_hash": h, "record": asdict(item)}
        yield {"item": json.dumps(out, ensure_ascii=False)}


def _groups(items: list[tuple[dict, Record]], max_chars: int) -> Iterator[list[tuple[dict, Record]]]:
    group, chars = [], 0
    for it in items:
        n = len(it[1].text)
        if group and chars + n > max_chars:
            yield group
            group, chars = [], 0
        group.append(it)
        chars += n
    if group:
        yield group


class Analyzer:
    """A Ray Data callable class: the pipeline is built once per actor, in `__init__`."""

    def __init__(self, options: Options, shard_dir: str, batch_chars: int = BATCH_CHARS):
        from ..pipeline import torchless

        torchless.import_spacy()  # the actor's process is presslens's: thinc need not import torch
        from . import executor

        executor._init(options)
        self._analyze = executor.analyze_batch
        self.version = pipeline_version(options.pipeline)
        self.shard_dir = shard_dir
        self.batch_chars = batch_chars

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        items = [json.loads(x) for x in batch["item"]]
        rows: list[dict[str, Any]] = []
        summary: dict[str, list] = {"kind": [], "reason": [], "statements": []}

        def note(kind: str, reason: str | None = None, statements: int = 0) -> None:
            summary["kind"].append(kind)
            summary["reason"].append(reason or "")
            summary["statements"].append(statements)

        todo = [(it, _record_from_json(it.pop("record"))) for it in items if it["kind"] == "record"]
        for group in _groups(todo, self.batch_chars):
            for (it, rec), res in zip(group, self._analyze([r for _, r in group])):
                if "reject" in res:
                    rows.append(shards.row("reject", it["location"], it["input_file"], it["seq"],
                                           reason=res["reject"], record_id=rec.id, pipeline_version=self.version))
                    note("reject")
                    continue
                article = res["article"]
                rows.append(shards.article_row(it["location"], it["input_file"], it["seq"], article,
                                               it["content_hash"], res["signature"], self.version))
                note("article", None, len(article["statements"]))
        for it in items:
            kind = it["kind"]
            if kind == "record":
                continue
            if kind == "skip" and it["reason"] == "stored":
                note("stored")
                continue
            fields = {k: it.get(k) for k in ("record_id", "reason", "detail", "content_hash")}
            rows.append(shards.row(kind, it["location"], it["input_file"], it["seq"], pipeline_version=self.version,
                                   **fields))
            note(kind, it.get("reason"))
        shards.write_shard(rows, self.shard_dir)
        return summary


def _start(address: str | None, actors: int) -> bool:
    """Connect to Ray (or start a local runtime); True when this call started it."""
    import ray

    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if not address:  # a local runtime: the actors, and two logical CPUs for the reading tasks
        # (with one, Ray Data's resource budget held the reading back and the actors waited)
        kwargs.update(num_cpus=actors + 2, object_store_memory=512 * 2**20, _system_config=SYSTEM_CONFIG)
    start_local(address=address, **kwargs)
    return True


def start_local(tries: int = 3, **kwargs: Any) -> None:
    """`ray.init(**kwargs)`, tried again when a loaded machine starts the local node too slowly
    (Ray gives its raylet a fixed time to come up)."""
    import ray

    for attempt in range(tries):
        try:
            ray.init(**kwargs)
            return
        except Exception as exc:  # noqa: BLE001  (Ray raises a bare Exception for this)
            if "timed out during startup" not in str(exc) or attempt == tries - 1:
                raise
            node = _failed_node(exc)
        ray.shutdown()
        if node is not None:  # its GCS and raylet are still running: stop them before trying again
            node.kill_all_processes(check_alive=False, allow_graceful=False, wait=True)
        del node
        with warnings.catch_warnings():  # their process handles, stopped now
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        time.sleep(2.0)


def _failed_node(exc: BaseException):
    """The `ray._private.node.Node` whose start raised `exc` (found in the traceback)."""
    tb = exc.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if type(obj).__name__ == "Node" and hasattr(obj, "kill_all_processes"):
            return obj
        tb = tb.tb_next
    return None


def run(paths: list[str], shard_dir: str, *, options: Options, address: str | None = None, actors: int = 2,
        batch_articles: int = BATCH_ARTICLES, batch_chars: int = BATCH_CHARS, done: set[str] = frozenset(),
        held: Iterable[str] = (), progress: bool = True, input_format: str | None = None,
        mapping=None, metadata=None) -> dict[str, Any]:
    """Analyze every record of `paths` not in `done` on Ray, writing shards to `shard_dir`.
    `held`: content hashes already analyzed (their records become copies); `metadata`: a loaded
    `--metadata` file, joined to the records where they are read. Returns counts."""
    try:
        import numpy as np
        import ray
        import ray.data
    except ImportError as exc:
        raise UsageError(Errors.E331) from exc
    from .ingest import Progress

    passed_over: list[str] = []
    files = input_files(paths, passed_over)
    by_file: dict[str, list[str]] = {f: [] for f in files}
    for loc in done:
        for sep in ("@", ":"):
            f = loc.rsplit(sep, 1)[0]
            if f in by_file:
                by_file[f].append(loc)
                break
        else:
            if loc in by_file:
                by_file[loc].append(loc)
    cwd = os.getcwd()
    units = [{"path": f, "done": by_file[f], "cwd": cwd, "input_format": input_format, "mapping": dict(mapping or {})}
             for f in files]
    units += [{"path": f, "done": [], "cwd": cwd, "not_input": True} for f in passed_over]
    counts: dict[str, Any] = {"records": 0, "articles": 0, "statements": 0, "copies": 0, "rejects": 0,
                              "stored": 0, "skipped_by": {}, "seconds": 0.0, "files": len(files)}
    if not units:
        return counts
    started = _start(address, actors)
    t0 = time.monotonic()
    bar = Progress(None, progress, label="ingest --engine ray")
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        # Small blocks, a few records each: Ray hands whole blocks to actors, so the default
        # (128 MiB) would give one WARC file's records to one actor, and blocks of a batch's
        # text (200 kB) left one actor finishing the last block while the others idled
        # (benchmarks/scale.py, 1,500 articles, 2 actors: 83 s of execution -> 71 s).
        ctx.target_max_block_size = 32 * 1024
        held_ref = ray.put(np.array(sorted({int(h[:16], 16) for h in held}), dtype=np.uint64))
        ds = ray.data.from_items(units, override_num_blocks=len(units))
        meta_ref = ray.put(metadata) if metadata is not None else None
        ds = ds.flat_map(read_unit, fn_args=(held_ref, meta_ref), num_cpus=0.5)
        ds = ds.map_batches(
            Analyzer, batch_size=batch_articles, batch_format="numpy", num_cpus=1,
            # All actors start at once (each loads the model); a small input that gives them
            # fewer blocks than actors is no error (min_size 1).
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=actors, initial_size=actors),
            fn_constructor_kwargs={"options": options, "shard_dir": shard_dir, "batch_chars": batch_chars},
        )
        for out in ds.iter_batches(batch_size=None, batch_format="numpy"):
            for kind, reason, n in zip(out["kind"], out["reason"], out["statements"]):
                counts["records"] += 1
                if kind == "article":
                    counts["articles"] += 1
                    counts["statements"] += int(n)
                    bar.update(1)
                elif kind == "reject":
                    counts["rejects"] += 1
                    bar.update(0, rejects=1)
                else:
                    key = {"copy": "copies", "stored": "stored"}.get(kind)
                    if key:
                        counts[key] += 1
                    else:
                        counts["skipped_by"][reason] = counts["skipped_by"].get(reason, 0) + 1
                    bar.update(0, skips=1)
    finally:
        bar.close()
        if started:
            ray.shutdown()
    counts["seconds"] = round(time.monotonic() - t0, 3)
    return counts


def ingest_ray(db: str | Path, paths: list[str], *, options: Options, address: str | None = None,
               actors: int | None = None, shard_dir: str | None = None, reanalyze: bool = False,
               progress: bool = True, commit_every: int = 256, batch_articles: int = BATCH_ARTICLES,
               batch_chars: int = BATCH_CHARS, input_format: str | None = None, mapping=None, metadata=None):
    """`ingest` on Ray: analyze into shards (`shard_dir`, default `<db>.shards/`), then `load`
    every shard there into `db`. A killed run, run again, analyzes only what no shard holds."""
    from .ingest import IngestReport, _State

    shard_dir = shard_dir or f"{db}.shards"
    con = store.connect(db, read_only=False, wait=300.0)
    try:
        state = _State(con)
    finally:
        con.close()
    files = shards.shard_files([shard_dir]) if _exists(shard_dir) else []
    version = pipeline_version(options.pipeline)
    in_shards, analyzed = shards.held(files, version)
    held = {h for h, v in state.articles.items() if not reanalyze or v == version} | analyzed
    counts = run(paths, shard_dir, options=options, address=address, actors=actors or os.cpu_count() or 1,
                 batch_articles=batch_articles, batch_chars=batch_chars, done=state.done | in_shards,
                 held=held, progress=progress, input_format=input_format, mapping=mapping, metadata=metadata)
    report = IngestReport(run_id=uuid.uuid4().hex[:12], db=str(db), seconds=counts["seconds"],
                          analyzed=counts["articles"])
    report = shards.load(db, [shard_dir] if _exists(shard_dir) else [], pipeline=options.pipeline, reanalyze=reanalyze,
                         progress=progress, commit_every=commit_every, report=report)
    report.skipped += counts["stored"]
    return report


def _exists(where: str) -> bool:
    fs, root = shards._fs(where)
    return fs.exists(root)
