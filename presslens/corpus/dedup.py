"""Near-duplicates: MinHash signatures over word shingles, grouped into stories with LSH.

Exact copies never get here (they share a content hash and are stored once). Syndicated wire
copy and lightly edited versions have different hashes but nearly the same word 5-grams: their
MinHash signatures collide in datasketch's LSH bands, and the later article joins the earlier
one's story. Candidates are confirmed with the estimated Jaccard similarity, so an unlucky band
collision does not merge two stories.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.7  # estimated Jaccard similarity of 5-word shingles
SHINGLE = 5
SEED = 1
SCHEME = "affine32"  # 32-bit values: signatures stored as NUM_PERM * 4 bytes

_WORD = re.compile(r"\w+")


def _band_key(data: bytes) -> bytes:
    # LSH keeps one key per band per article: 8 bytes instead of r * 8 keeps memory flat.
    return hashlib.blake2b(data, digest_size=8).digest()


def signature(text: str) -> bytes:
    """The MinHash signature of `text` as bytes (NUM_PERM unsigned 32-bit values)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in set(shingles)])
    return np.asarray(m.hashvalues, dtype=np.uint32).tobytes()


def _minhash(sig: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.frombuffer(sig, dtype=np.uint32))


class Stories:
    """Assigns story ids: an article joins the story of the most similar earlier article."""

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, hashfunc=_band_key)
        self._sig: dict[str, bytes] = {}
        self._story: dict[str, str] = {}

    def add(self, article_id: str, sig: bytes, story_id: str) -> None:
        if article_id in self._sig:
            return
        self.lsh.insert(article_id, _minhash(sig))
        self._sig[article_id] = sig
        self._story[article_id] = story_id

    def assign(self, article_id: str, sig: bytes) -> tuple[str, bool]:
        """Return (story_id, is_near_duplicate) for a new article and remember it."""
        m = _minhash(sig)
        best, best_j = None, THRESHOLD
        for cand in self.lsh.query(m):
            if cand == article_id:
                continue
            j = m.jaccard(_minhash(self._sig[cand]))
            if j >= best_j:
                best, best_j = cand, j
        story = self._story[best] if best is not None else article_id
        self.add(article_id, sig, story)
        return story, best is not None
