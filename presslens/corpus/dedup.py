"""Near-duplicates: MinHash signatures over word shingles, grouped into stories with LSH.

Exact copies never get here (they share a content hash and are stored once). Syndicated wire
copy and lightly edited versions have different hashes but nearly the same word 5-grams, so
their MinHash signatures (datasketch) agree in at least one LSH band; the later article joins
the earlier one's story. Candidates are confirmed with datasketch's Jaccard estimate, so an
unlucky band collision does not merge two stories.

The bands live in the store (`lsh_bands`), not in memory: stories are assigned by the writer,
inside the transaction that stores the batch, with one join per batch. Memory stays flat however
large the corpus grows, and a killed run can never leave a band without its article.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .store import PendingArticle

# datasketch is imported where used: it pulls in scipy (a second at start-up), which
# `import presslens` should not pay for.

NUM_PERM = 64
THRESHOLD = 0.7  # estimated Jaccard similarity of 5-word shingles
SHINGLE = 5
SEED = 1
SCHEME = "affine32"  # 32-bit values: signatures stored as NUM_PERM * 4 bytes

_WORD = re.compile(r"\w+")


def signature(text: str) -> bytes:
    """The MinHash signature of `text` as bytes (NUM_PERM unsigned 32-bit values)."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in set(shingles)])
    return np.asarray(m.hashvalues, dtype=np.uint32).tobytes()


def _minhash(sig: bytes):
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.frombuffer(sig, dtype=np.uint32))


def similarity(a: bytes, b: bytes) -> float:
    return _minhash(a).jaccard(_minhash(b))


@functools.lru_cache(maxsize=1)
def bands() -> tuple[int, int]:
    """(b, r): datasketch's LSH banding for THRESHOLD and NUM_PERM (false positives and false
    negatives weighted equally)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band: a hash of the band's r values."""
    hv = np.frombuffer(sig, dtype=np.uint32)
    b, r = bands()
    return [
        int.from_bytes(hashlib.blake2b(hv[i * r : (i + 1) * r].tobytes(), digest_size=8).digest(), "little", signed=True)
        for i in range(b)
    ]


def assign_stories(con, items: list[PendingArticle]) -> tuple[int, list[tuple[int, int, str]]]:
    """Set `story_id` on each item whose story_id is None, against the stored bands and the
    earlier items of the batch. Returns how many joined an existing story and the items' bands
    `(band, key, article_id)` for the writer to store. Runs inside the writer's transaction."""
    keyed = [(n, it, band_keys(it.signature)) for n, it in enumerate(items) if it.signature is not None]
    todo = [(n, it, keys) for n, it, keys in keyed if it.story_id is None]
    stored: dict[int, set[str]] = {}
    if todo:
        q_item, q_band, q_key = [], [], []
        for n, _it, keys in todo:
            for band, key in enumerate(keys):
                q_item.append(n)
                q_band.append(band)
                q_key.append(key)
        rows = con.execute(
            "SELECT q.n, l.article_id FROM (SELECT unnest(?::INTEGER[]) AS n, unnest(?::UTINYINT[]) AS band, "
            "unnest(?::BIGINT[]) AS key) q JOIN lsh_bands l USING (band, key)",
            [q_item, q_band, q_key],
        ).fetchall()
        for n, aid in rows:
            stored.setdefault(n, set()).add(aid)
    known: dict[str, tuple[bytes, str]] = {}
    wanted = sorted({aid for ids in stored.values() for aid in ids})
    if wanted:
        for aid, sig, story in con.execute(
            "SELECT m.article_id, m.signature, a.story_id FROM minhashes m JOIN articles a USING (article_id) "
            "WHERE m.article_id IN (SELECT unnest(?::VARCHAR[]))", [wanted]
        ).fetchall():
            known[aid] = (bytes(sig), story)
    batch_bands: dict[tuple[int, int], list[PendingArticle]] = {}
    near = 0
    for n, it, keys in keyed:
        if it.story_id is None:
            best, best_j = None, THRESHOLD
            candidates = [(known[a][0], known[a][1]) for a in stored.get(n, ()) if a in known]
            for band, key in enumerate(keys):
                candidates += [(o.signature, o.story_id) for o in batch_bands.get((band, key), [])]
            for sig, story in candidates:
                j = similarity(it.signature, sig)
                if j >= best_j:
                    best, best_j = story, j
            it.story_id = best if best is not None else it.article_id
            near += best is not None
        for band, key in enumerate(keys):
            batch_bands.setdefault((band, key), []).append(it)
    for it in items:
        if it.story_id is None:  # no signature: a story of its own
            it.story_id = it.article_id
    return near, [(band, key, it.article_id) for _n, it, keys in keyed for band, key in enumerate(keys)]
