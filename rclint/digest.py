"""SHA-256 and BLAKE2b without importing hashlib.

hashlib loads OpenSSL when it is imported (~2-5 ms of every start-up); CPython's own C
implementations give the same digests and load in well under a millisecond. hashlib's
`blake2b` is this very `_blake2.blake2b`. Where a build lacks them, hashlib is used.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
    from hashlib import blake2b

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.11 and older
    except ImportError:  # pragma: no cover - a Python built without its own SHA-2
        from hashlib import sha256

__all__ = ["blake2b", "sha256"]
