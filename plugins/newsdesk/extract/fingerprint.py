"""Exact and near-duplicate fingerprints of an article's text.

content_hash catches the same text twice; the MinHash signature over word shingles catches a
wire story republished with another intro or footer. lsh_bands turns a signature into a few
integers a database can index (signed 64-bit, fits a bigint column): two articles whose
signatures agree on all rows of at least one band are candidates, and estimated_similarity
on the full signatures decides.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SHINGLE_WORDS = 3
# Estimated Jaccard similarity of 3-word shingles from which two texts count as the same story.
# Measured on the sample site (tests/unit/test_extract_fingerprint.py): the wire story that a
# second outlet republished with its own intro and closing paragraph (2 of 6 paragraphs
# replaced) scores 0.55; the 66 pairs of different stories score at most 0.03, two stories on
# the same topic (European defence money) 0.0. 0.4 leaves a wide margin on both sides.
NEAR_DUPLICATE_THRESHOLD = 0.4
# 32 bands of 2 rows, over the first 64 permutations (all 128 estimate the similarity): a pair
# at the threshold shares at least one band with probability 1-(1-0.4^2)^32 = 0.996 (0.9999 at
# 0.5), a pair of unrelated stories (~0.02) with ~0.013 -- candidates that the full-signature
# comparison then rejects. Every band is a row in an index with random keys, the largest table
# of a big warehouse (bench/scale.py): 64 bands cost twice the space and index writes for a
# 0.4 % better chance at the threshold. Bands 0-31 are computed as when there were 64, so band
# rows stored then still match.
BANDS = 32
ROWS = 2

_SEED = 20250302
_WORD = re.compile(r"\w+", re.UNICODE)
# datasketch draws its permutations from the seed on every MinHash(); drawing them once makes
# a signature ~10x cheaper and keeps them identical across processes and releases.
# The scheme is pinned so a datasketch upgrade cannot silently change stored signatures.
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations
# datasketch's affine32 scheme, computed here on all shingles at once: SHA-1's first 4 bytes
# (little-endian) per shingle, the MurmurHash3 32-bit finalizer, then a*h+b mod 2^32 per
# permutation and the minimum. Bit-for-bit the values MinHash.update_batch gives (checked by
# tests/unit/test_extract_fingerprint.py), without its per-shingle Python hash function calls.
_A = _PERMUTATIONS[0].astype(np.uint32)
_B = _PERMUTATIONS[1].astype(np.uint32)


def normalise(text: str) -> str:
    """The text the hash is taken over: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(normalise(text))
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(shingle) for shingle in zip(words, words[1:], words[2:], strict=False)}


def _fmix32(hv: np.ndarray) -> np.ndarray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash_signature(text: str) -> tuple[int, ...]:
    """MinHash (128 permutations) over the text's 3-word shingles; empty text gives ()."""
    shingles = _shingles(text)
    if not shingles:
        return ()
    sha1 = hashlib.sha1
    digests = b"".join([sha1(shingle.encode("utf-8")).digest()[:4] for shingle in shingles])
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    permuted = hashed[:, None] * _A + _B
    return tuple(permuted.min(axis=0).tolist())


def lsh_bands(signature: tuple[int, ...]) -> list[int]:
    """One signed 64-bit hash per band; the band number is hashed in, so one column holds all."""
    if len(signature) != NUM_PERM:
        return []
    values = np.asarray(signature, dtype=">u4")
    bands = []
    for band in range(BANDS):
        digest = hashlib.blake2b(
            values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8, person=b"nd-band%03d" % band
        ).digest()
        bands.append(int.from_bytes(digest, "big", signed=True))
    return bands


def estimated_similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity: the share of permutations whose minima agree."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
