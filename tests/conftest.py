"""Shared fixtures. Tests that load the spaCy model are marked `model`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from presslens.pipeline import torchless

# The test processes load spaCy as presslens's own processes do, without thinc importing torch
# (about 1.5 s of CPU in each of `make test`'s processes); torch still imports for the tests
# that fine-tune (`torchless.show()`), and tests/test_library.py checks a library user's process.
torchless.import_spacy()

REPO = Path(__file__).resolve().parent.parent
POLNEAR = REPO.parent / "shared" / "data" / "polnear"
PTC = REPO.parent / "shared" / "data" / "ptc"
DATA = Path(__file__).resolve().parent / "data"


def pytest_collection_modifyitems(items):
    """Files whose tests are all or mostly `slow` first (PolNeAR dev, Ray, kill -9): `make test`
    hands whole files to its processes in this order (with `--no-loadscope-reorder`), and a
    long file handed out last would run alone at the end. The order within a file stays."""
    def file_of(item) -> str:
        return item.nodeid.split("::")[0]

    slow: dict[str, int] = {}
    total: dict[str, int] = {}
    for item in items:
        f = file_of(item)
        slow[f] = slow.get(f, 0) + (item.get_closest_marker("slow") is not None)
        total[f] = total.get(f, 0) + 1
    order = {f: k for k, f in enumerate(total)}
    items.sort(key=lambda item: (-slow[file_of(item)] / total[file_of(item)], order[file_of(item)]))


@pytest.fixture(scope="session")
def nlp():
    from presslens.pipeline import build

    return build.load()


@pytest.fixture
def slow_clock(monkeypatch):
    """The time budget's clock, 100 s later at each reading: each part of an article "takes" 100 s."""
    import sys

    import presslens.analyze  # noqa: F401  (the module; `presslens.analyze` the name is the function)

    ticks = iter(range(0, 10**9, 100))
    monkeypatch.setattr(sys.modules["presslens.analyze"], "clock", lambda: next(ticks))


@pytest.fixture(scope="session")
def analyze_text(nlp):
    """Analyze a short text with the session's pipeline: `analyze_text(text, published=None)`."""
    from presslens import Options, Record, analyze_many

    def run(text: str, published: str | None = None, id: str = "t"):
        return next(analyze_many([Record(id=id, text=text, published=published)], Options(), nlp=nlp))

    return run


@pytest.fixture(scope="module")
def ray_local():
    """A local Ray runtime for the Ray engine's tests (3 logical CPUs: two actors and the reading
    tasks), shut down after the module. Ray is in the test extra: these tests run in CI."""
    import ray

    from presslens.corpus.distributed import SYSTEM_CONFIG, start_local

    start_local(num_cpus=3, object_store_memory=256 * 2**20, include_dashboard=False, log_to_driver=False,
                configure_logging=False, _system_config=SYSTEM_CONFIG)  # as ingest's own runtime
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def ptc_root() -> Path:
    if not (PTC / "train-articles").is_dir():
        pytest.skip("PTC is not available at ../shared/data/ptc")
    return PTC


@pytest.fixture(scope="session")
def polnear_root() -> Path:
    if not (POLNEAR / "data" / "metadata.tsv").exists():
        pytest.skip("PolNeAR is not available at ../shared/data/polnear")
    return POLNEAR


@pytest.fixture(scope="session")
def polnear_dev(polnear_root, nlp, tmp_path_factory) -> dict:
    """PolNeAR dev analyzed once for the whole session, through `presslens analyze` as `make eval`
    runs it (the tests that need it used to analyze it three times: ~70 s of the suite).
    `{"folder", "output", "result", "docs"}`; docs by id."""
    from click.testing import CliRunner

    from presslens.cli import cli

    folder = polnear_root / "data" / "dev" / "text"
    out = tmp_path_factory.mktemp("polnear-dev") / "dev.jsonl"
    result = CliRunner().invoke(cli, ["analyze", str(folder), "-o", str(out)], catch_exceptions=False)
    docs = {d["id"]: d for d in read_jsonl(out)} if out.exists() else {}
    return {"folder": folder, "output": out, "result": result, "docs": docs}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: small hand-written inputs (dateline text, ...)."""
    return DATA


@pytest.fixture(scope="session")
def validate():
    """`validate(doc_dict)`: assert one presslens/1 document is valid (schema and offsets)."""
    from presslens.output import validate as check

    return check


@pytest.fixture
def read_records():
    """`read_records(*paths, **kwargs)`: everything `inputs.iter_records` yields, as a list."""
    from presslens.inputs import iter_records

    def run(*paths, **kwargs):
        return list(iter_records([str(p) for p in paths], **kwargs))

    return run


@pytest.fixture
def run_cli(nlp):
    """`run_cli(*args, input=None)`: run the `presslens` command in-process (click's CliRunner).

    The result has `exit_code`, `stdout` and `stderr`; `docs(path)` reads a jsonl output."""
    from click.testing import CliRunner

    from presslens.cli import cli

    def run(*args, input: str | bytes | None = None):
        return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
