"""Finding the input files: walk the paths, skip what users never want linted.

Which loader looks at a file is decided by `rclint.classify.candidate` from its name; what a
node runtime config candidate *is* (containerd, CRI-O, neither) by `rclint.classify.recognise`.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import List, Optional, Sequence

from rclint.classify import candidate as classify
from rclint.settings import DEFAULT_EXCLUDES, ConfigError, Settings, display_path, named_at


@dataclass
class InputFile:
    path: Optional[str]  # None for stdin
    display: str
    kind: str  # "manifest" or "node" (maybe a node runtime config): see rclint.classify.candidate
    explicit: bool = False
    data: Optional[bytes] = None
    named: Optional[str] = None  # why it was named as a node runtime config (--node-config, a pool's runtime-config)


class Excluder:
    def __init__(self, patterns: Sequence[str], base: str):
        self.patterns = [p.rstrip("/") for p in patterns]
        self.base = Path(base).resolve()

    def excluded(self, path: str, is_dir: bool) -> bool:
        name = os.path.basename(path)
        if is_dir and (name in DEFAULT_EXCLUDES or os.path.isfile(os.path.join(path, "pyvenv.cfg"))):
            return True
        if not self.patterns:
            return False
        try:
            rel = PurePosixPath(Path(path).resolve().relative_to(self.base).as_posix())
        except ValueError:
            rel = PurePosixPath(Path(path).as_posix())
        rel_s = str(rel)
        for pat in self.patterns:
            if "/" not in pat:
                if fnmatch.fnmatchcase(name, pat):
                    return True
            elif fnmatch.fnmatchcase(rel_s, pat.lstrip("./")) or fnmatch.fnmatchcase(rel_s, pat.lstrip("./") + "/*"):
                return True
        return False


def _walk(top: str, excluder: Excluder):
    """Files below `top`, sorted, without following directory symlinks (no loops)."""
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            # files, special files and symlinks not leading to a directory: whether one may be
            # read is the filesystem policy's decision (rclint.fspolicy), which reports refusals
            is_file = not is_dir and not entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if not excluder.excluded(entry.path, True):
                yield from _walk(entry.path, excluder)
        elif is_file:
            kind = classify(entry.path)
            if kind is not None and not excluder.excluded(entry.path, False):
                yield entry.path, kind


def named_node_configs(settings: Settings, seen: Optional[set] = None) -> List[InputFile]:
    """Files named as node runtime configs: `--node-config`/`node-config` and each declared
    pool's `runtime-config`. A named file is a node config whatever it holds; the files of a
    named directory are candidates like discovered ones."""
    seen = set() if seen is None else seen
    out: List[InputFile] = []
    named = [(arg, "named with --node-config or node-config") for arg in settings.node_configs]
    named += [(p, f"the runtime-config of node pool {pool.name}") for pool in settings.node_pools
              for p in pool.runtime_configs]
    for arg, why in named:
        if not os.path.exists(arg):
            where = named_at(arg)
            if where is not None:  # named by the configuration file: point at the entry
                raise ConfigError(f"{where}: {display_path(arg)}: no such file or directory")
            raise ConfigError(f"--node-config {arg}: no such file or directory")
        if os.path.isfile(arg):
            found = [(arg, why)]
        else:
            found = [(p, None) for p, k in _walk(arg, Excluder([], arg)) if k == "node"]
        for path, reason in found:
            key = os.path.abspath(path)
            if key not in seen:
                seen.add(key)
                out.append(InputFile(path, display_path(path), "node", explicit=reason is not None, named=reason))
    return out


def discover(settings: Settings) -> List[InputFile]:
    base = settings.config_dir or os.getcwd()
    excluder = Excluder(settings.exclude, base)
    out: List[InputFile] = []
    seen = set()
    for arg in settings.paths:
        if arg == "-":
            out.append(InputFile(None, settings.stdin_filename, "manifest", explicit=True))
            continue
        if not os.path.exists(arg):
            raise ConfigError(f"{arg}: no such file or directory")
        if not os.path.isdir(arg):  # a file, or a pipe the user named (`<(helm template ...)`): read, bounded
            key = os.path.abspath(arg)
            if key not in seen:
                seen.add(key)
                kind = classify(arg, explicit=True) or "manifest"
                if kind == "node" and (not os.path.isfile(arg) or arg.startswith(("/dev/", "/proc/"))):
                    kind = "manifest"  # a pipe can be read once: as the manifests `helm template` prints
                out.append(InputFile(arg, display_path(arg), kind, explicit=True))
            continue
        prefix = display_path(arg)
        prefix = "" if prefix == "." else prefix.rstrip("/") + "/"
        for full, kind in _walk(arg, excluder):
            key = os.path.abspath(full)
            if key in seen:
                continue
            seen.add(key)
            rel = os.path.relpath(full, arg).replace(os.sep, "/")
            out.append(InputFile(full, prefix + rel, kind))
    for display, data in settings.extra_inputs:
        out.append(InputFile(None, display, "manifest", explicit=True, data=data))
    return out
