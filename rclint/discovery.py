"""Finding the input files: walk the paths, skip what users never want linted.

Which loader looks at a file is decided by `rclint.classify.candidate` from its name; what a
node runtime config candidate *is* (containerd, CRI-O, neither) by `rclint.classify.recognise`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from rclint.classify import candidate as classify
from rclint.kustomize import consumed_files, display_name, kustomization_file, local_bases
from rclint.settings import DEFAULT_EXCLUDES, ConfigError, Settings, display_path, named_at


@dataclass
class InputFile:
    path: Optional[str]  # None for stdin
    display: str
    kind: str  # "manifest" or "node" (maybe a node runtime config): see rclint.classify.candidate
    explicit: bool = False
    data: Optional[bytes] = None
    named: Optional[str] = None  # why it was named as a node runtime config (--node-config, a pool's runtime-config)
    root: Optional[str] = None      # kustomize: the linted tree it must stay inside
    origins: Optional[dict] = None  # kustomize: rendered document lines -> source file


def _gitignore_spec(lines: List[str]):
    """The compiled patterns, or None; pathspec is imported only when there are patterns (start-up)."""
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


class Excluder:
    """What discovery skips, with `.gitignore` semantics (the `pathspec` library):

    - always: the directories in DEFAULT_EXCLUDES and Python virtual environments;
    - `exclude` + `extend-exclude` patterns, relative to `base` (the configuration file's
      directory, else the working directory): `templates` or `**/templates` at any depth,
      `/templates` or `.github/x` anchored at `base`, `templates/` directories only, `!keep`
      re-includes;
    - with `respect_gitignore`, what the repository's `.gitignore` files (and
      `.git/info/exclude`) ignore, each file's patterns relative to its own directory.

    A skipped directory is not entered, so (as in git) a negation cannot re-include a file
    below an excluded directory.
    """

    def __init__(self, patterns: Sequence[str], base: str, respect_gitignore: bool = False):
        self.base = Path(base).resolve()
        # "./vendor" means what "/vendor" means in a .gitignore: anchored at base
        lines = ["/" + p[2:] if p.startswith("./") else p for p in patterns]
        self.spec = _gitignore_spec(lines)
        self.root: Optional[Path] = None
        if respect_gitignore:
            root = find_repo_root(str(self.base))
            self.root = Path(root) if root is not None else None
        self._ignores: dict = {}

    def _gitignore(self, directory: Path):
        """The patterns of `directory/.gitignore` (None when there is none), read once."""
        if directory in self._ignores:
            return self._ignores[directory]
        lines: List[str] = []
        names = [".gitignore"] + ([".git/info/exclude"] if directory == self.root else [])
        for name in names:
            f = directory / name
            try:
                if f.is_file() and not f.is_symlink() and f.stat().st_size <= 1024 * 1024:
                    lines.extend(f.read_text(encoding="utf-8", errors="replace").splitlines())
            except OSError:
                continue
        spec = _gitignore_spec(lines)
        self._ignores[directory] = spec
        return spec

    def _git_ignored(self, full: Path, is_dir: bool) -> bool:
        root = self.root
        try:
            rel = full.relative_to(root)
        except ValueError:
            return False
        verdict = None
        directory = root
        parts = rel.parts
        for i in range(len(parts)):
            spec = self._gitignore(directory)
            if spec is not None:
                sub = "/".join(parts[i:]) + ("/" if is_dir else "")
                res = spec.check_file(sub)
                if res.include is not None:
                    verdict = res.include
            directory = directory / parts[i]
        return bool(verdict)

    def excluded(self, path: str, is_dir: bool) -> bool:
        name = os.path.basename(path)
        if is_dir and (name in DEFAULT_EXCLUDES or os.path.isfile(os.path.join(path, "pyvenv.cfg"))):
            return True
        if self.spec is None and self.root is None:
            return False
        full = Path(os.path.abspath(path))
        if self.spec is not None:
            try:
                rel = full.relative_to(self.base).as_posix()
            except ValueError:
                rel = os.path.relpath(full, self.base).replace(os.sep, "/")
            if self.spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return self.root is not None and self._git_ignored(full, is_dir)


def _walk(top: str, excluder: Excluder, kustomize: bool = False, consumed: Optional[set] = None):
    """Files below `top`, sorted, without following directory symlinks (no loops). With
    `kustomize`, a directory holding a kustomization is also yielded as one ("kustomize")
    entry; the files it renders from (its own directory's files and every file its
    resources/patches name) are not yielded as manifests, other subdirectories are."""
    consumed = set() if consumed is None else consumed
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
                if kustomize and kustomization_file(entry.path) is not None:
                    yield entry.path, "kustomize"
                    consumed |= consumed_files(entry.path)
                yield from _walk(entry.path, excluder, kustomize, consumed)
        elif is_file:
            if consumed and os.path.realpath(entry.path) in consumed:
                continue
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
    excluder = Excluder(list(settings.exclude) + list(getattr(settings, "extend_exclude", [])), base,
                        respect_gitignore=getattr(settings, "respect_gitignore", True))
    skip = {os.path.abspath(p) for p in (getattr(settings, "baseline", None), getattr(settings, "write_baseline", None)) if p}
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
            if key not in seen and key not in skip:
                seen.add(key)
                kind = classify(arg, explicit=True) or "manifest"
                if kind == "node" and (not os.path.isfile(arg) or arg.startswith(("/dev/", "/proc/"))):
                    kind = "manifest"  # a pipe can be read once: as the manifests `helm template` prints
                out.append(InputFile(arg, display_path(arg), kind, explicit=True))
            continue
        prefix = display_path(arg)
        consumed: set = set()
        if kustomization_file(arg) is not None:
            out.append(InputFile(arg, display_name(prefix), "kustomize", explicit=True, root=os.path.realpath(arg)))
            consumed = consumed_files(arg)
        prefix = "" if prefix == "." else prefix.rstrip("/") + "/"
        for full, kind in _walk(arg, excluder, kustomize=True, consumed=consumed):
            if kind == "kustomize":
                rel = os.path.relpath(full, arg).replace(os.sep, "/")
                out.append(InputFile(full, display_name(prefix + rel), "kustomize", root=os.path.realpath(arg)))
                continue
            key = os.path.abspath(full)
            if key in seen or key in skip:
                continue
            seen.add(key)
            rel = os.path.relpath(full, arg).replace(os.sep, "/")
            if "-" in settings.paths and prefix + rel == settings.stdin_filename:
                continue  # standard input stands for this file
            out.append(InputFile(full, prefix + rel, kind))
    for display, data in settings.extra_inputs:
        out.append(InputFile(None, display, "manifest", explicit=True, data=data))
    return _without_bases(out)


def _without_bases(inputs: List[InputFile]) -> List[InputFile]:
    """Kustomize directories another linted kustomization builds on are rendered as part of
    it, not on their own (which would lint every base object twice)."""
    dirs = [i for i in inputs if i.kind == "kustomize"]
    if len(dirs) < 2:
        return inputs
    bases = set()
    for i in dirs:
        bases.update(local_bases(i.path))
    return [i for i in inputs if i.kind != "kustomize" or i.explicit or os.path.realpath(i.path) not in bases]


def find_repo_root(start: str) -> Optional[str]:
    """The nearest directory at or above `start` that holds `.git` (a directory, or the file a
    worktree or submodule has), or None outside a repository."""
    p = Path(start).resolve()
    if not p.is_dir():
        p = p.parent
    while True:
        if (p / ".git").exists():
            return str(p)
        if p.parent == p:
            return None
        p = p.parent
