"""Finding the input files: walk the paths, skip what users never want linted, classify by name.

The name only decides which loader looks at a file; what a file *is* (a Kubernetes manifest,
a containerd config, other TOML) is decided from its content by that loader.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import List, Optional, Sequence

from rclint.settings import DEFAULT_EXCLUDES, ConfigError, Settings, display_path

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_NOT_CONFIG = frozenset(["Makefile", "LICENSE", "Dockerfile", "Containerfile", "OWNERS", "CODEOWNERS",
                         "NOTICE", "AUTHORS", "VERSION", "Vagrantfile", "Jenkinsfile", "Gemfile", "Procfile"])
TOML_SUFFIXES = (".toml",)


@dataclass
class InputFile:
    path: Optional[str]  # None for stdin
    display: str
    kind: str  # "manifest", "toml" (containerd candidate), "crio"
    explicit: bool = False
    data: Optional[bytes] = None


def classify(path: str, explicit: bool = False) -> Optional[str]:
    name = os.path.basename(path)
    lower = name.lower()
    parent = os.path.basename(os.path.dirname(path))
    if lower.endswith(MANIFEST_SUFFIXES):
        return "manifest"
    if lower.endswith(TOML_SUFFIXES):
        return "toml"
    if parent == "crio.conf.d" or lower == "crio.conf" or lower.endswith(".conf"):
        return "crio"
    if "." not in name.lstrip(".") and name not in _NOT_CONFIG:
        return "maybe-crio"  # extension-less: CRI-O files if they hold [crio...] tables
    if explicit:
        return "manifest"
    return None


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
                if kind == "maybe-crio" and (not os.path.isfile(arg) or arg.startswith(("/dev/", "/proc/"))):
                    kind = "manifest"  # a pipe can be read once: as the manifests `helm template` prints
                out.append(InputFile(arg, display_path(arg), kind, explicit=True))
            continue
        prefix = display_path(arg)
        prefix = "" if prefix == "." else prefix.rstrip("/") + "/"
        # every walked path is `arg` + separator + names: slice instead of relpath/abspath per file
        abs_arg = os.path.abspath(arg)
        for full, kind in _walk(arg, excluder):
            rel = full[len(arg):].lstrip(os.sep)
            key = os.path.join(abs_arg, rel)
            if key in seen:
                continue
            seen.add(key)
            out.append(InputFile(full, prefix + rel.replace(os.sep, "/"), kind))
    for display, data in settings.extra_inputs:
        out.append(InputFile(None, display, "manifest", explicit=True, data=data))
    return out
