"""The result cache: a re-run over unchanged inputs replays the previous result.

Keyed by the content of every input (manifests, runtime configs, the files those import or
drop in, the configuration and baseline files, cluster data), the run's settings, the working
directory, the rclint version and a fingerprint of rclint's own code; a run that reads
standard input is not cached.
What is stored is the engine's Result (findings and statistics), as JSON with an allowlist of
types, so a corrupt or foreign cache file can only cause a miss, never run code.

Safety: the directory is never inside a scanned path and never a symlink; entries are
written to a fresh temporary file (O_EXCL) and renamed into place, so concurrent runs see
either a whole entry or none, and read with O_NOFOLLOW. Old entries are pruned.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import Any, List, Optional, Tuple

from rclint import __version__
from rclint.model import Edit, Finding, Fix, ObjectRef, Related, Severity, Span, Stats

FORMAT = 1
MAX_ENTRIES = 64
MAX_ENTRY_BYTES = 256 * 1024 * 1024
_TYPES = {cls.__name__: cls for cls in (Finding, ObjectRef, Related, Span, Stats, Fix, Edit)}


def default_dir() -> str:
    """The user's cache directory for rclint (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "rclint", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/rclint")
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.expanduser("~/.cache")
    return os.path.join(base, "rclint")


def unusable_reason(directory: str, scanned: List[str]) -> Optional[str]:
    """Why the cache directory must not be used, or None."""
    if os.path.islink(directory):
        return "it is a symlink"
    real = os.path.realpath(directory)
    for path in scanned:
        if path == "-":
            continue
        top = os.path.realpath(path)
        if os.path.isfile(top):
            top = os.path.dirname(top)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return "it is inside a scanned path"
    return None


# --------------------------------------------------------------------------- keys


def regular_file(path: Optional[str]) -> bool:
    """Whether a path names a regular file, which can be read twice (a pipe cannot)."""
    import stat

    try:
        return path is not None and stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _hasher():
    from rclint.digest import blake2b  # not hashlib: start-up

    return blake2b(digest_size=20)


def file_digest(path: str, policy, trusted: Optional[bool] = None) -> str:
    """The digest of a file read under the run's filesystem policy (bounded; never a FIFO or a
    file outside the scanned tree unless the user named it), or why it could not be read."""
    try:
        data = policy.read_bytes(path, trusted=trusted)
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}:{exc.errno}:{exc.strerror}"
    h = _hasher()
    h.update(data)
    return h.hexdigest()


def code_fingerprint() -> str:
    """Size and modification time of every module of rclint and every rule file."""
    from rclint.catalog import rules_dir

    package = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder in (package, *(os.path.join(package, d) for d in sorted(os.listdir(package))), str(rules_dir())):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".py", ".yaml", ".json")):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    h = _hasher()
    h.update("\n".join(parts).encode())
    return h.hexdigest()


def run_key(settings, inputs, candidates, policy) -> str:
    """The key of a run: everything its result depends on, except files found while loading."""
    h = _hasher()

    def add(*parts: Any) -> None:
        h.update(repr(parts).encode("utf-8", "surrogatepass") + b"\n")

    from rclint import perf

    add(FORMAT, __version__, code_fingerprint(), os.getcwd(), perf.FAST)
    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
              if f.name not in ("cache_dir", "jobs", "extra_inputs")}
    add(sorted(fields.items()))
    for display, data in settings.extra_inputs:
        d = _hasher()
        d.update(data)
        add("extra", display, d.hexdigest())
    for path in (settings.config_path, settings.baseline, *(p.source for p in settings.node_pools)):
        if path:
            add("file", path, file_digest(path, policy, trusted=True))
    for inp in inputs:
        if inp.path is None:
            raise ValueError("standard input is not cached")
        add("input", inp.path, inp.display, inp.kind, inp.explicit, getattr(inp, "named", None),
            file_digest(inp.path, policy, trusted=inp.explicit or None))
    for c in candidates:
        add("node-config", c.path, c.display, c.kind, c.explicit, c.named,
            file_digest(c.path, policy, trusted=(c.explicit or bool(c.named)) or None))
    return h.hexdigest()


# --------------------------------------------------------------------------- values


def _encode(value: Any) -> Any:
    if isinstance(value, Severity):
        return {"@sev": value.name}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _TYPES:
        return {"@": type(value).__name__,
                **{f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"@t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only string keys are cached")
        return {"@d": {k: _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "@sev" in value:
            return Severity[value["@sev"]]
        if "@t" in value:
            return tuple(_decode(v) for v in value["@t"])
        if "@d" in value:
            return {k: _decode(v) for k, v in value["@d"].items()}
        cls = _TYPES[value["@"]]  # KeyError: not ours -> a miss
        return cls(**{k: _decode(v) for k, v in value.items() if k != "@"})
    return value


# --------------------------------------------------------------------------- storage


class ResultCache:
    def __init__(self, directory: str):
        self.directory = directory

    def _entry(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.json")

    def load(self, key: str, policy) -> Optional[Tuple[list, Stats, set]]:
        """(findings, stats, enabled) when a whole, matching entry exists and its sources are unchanged."""
        try:
            fd = os.open(self._entry(key), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
            if len(raw) > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(raw)
            if entry.get("format") != FORMAT or entry.get("key") != key:
                return None
            for path, digest in entry["sources"]:
                if file_digest(path, policy) != digest:
                    return None
            findings = _decode(entry["findings"])
            stats = _decode(entry["stats"])
            enabled = set(entry["enabled"])
            if not isinstance(stats, Stats) or not all(isinstance(f, Finding) for f in findings):
                return None
            return findings, stats, enabled
        except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss
            return None

    def store(self, key: str, sources: List[str], findings: list, stats: Stats, enabled: set, policy) -> None:
        """Write the entry atomically; any failure only means no cache."""
        import tempfile

        try:
            entry = {"format": FORMAT, "key": key,
                     "sources": [[p, file_digest(p, policy)] for p in sorted(set(sources))],
                     "findings": _encode(list(findings)), "stats": _encode(stats), "enabled": sorted(enabled)}
            data = json.dumps(entry, ensure_ascii=True, separators=(",", ":")).encode()
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            if os.path.islink(self.directory):
                return
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self._entry(key))
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            self._prune()
        except Exception:  # noqa: BLE001 - read-only home, full disk, a race: run without a cache
            return

    def _prune(self) -> None:
        entries = []
        with os.scandir(self.directory) as it:
            for e in it:
                if e.name.endswith(".json") and e.is_file(follow_symlinks=False):
                    entries.append((e.stat(follow_symlinks=False).st_mtime_ns, e.path))
        for _mtime, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
            try:
                os.unlink(path)
            except OSError:
                pass
