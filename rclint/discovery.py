"""Finding the input files: walk the paths, skip what users never want linted.

Which loader looks at a file is decided by `rclint.classify.candidate` from its name; what a
node runtime config candidate *is* (containerd, CRI-O, neither) by `rclint.classify.recognise`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from rclint.classify import candidate as classify
from rclint.kustomize import NAMES as KUSTOMIZATION_NAMES
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
    # a regular file the walk reached without following a symlink: the real scanned root it lies in
    walked: Optional[str] = None


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
        self._base_str = str(self.base)
        self._base_prefix = self._base_str.rstrip("/") + "/"
        # "./vendor" means what "/vendor" means in a .gitignore: anchored at base
        lines = ["/" + p[2:] if p.startswith("./") else p for p in patterns]
        self.spec = _gitignore_spec(lines)
        self.root: Optional[Path] = None
        if respect_gitignore:
            root = find_repo_root(str(self.base))
            self.root = Path(root) if root is not None else None
        self._root_str = str(self.root) if self.root is not None else ""
        self._root_prefix = self._root_str.rstrip("/") + "/"
        self._ignores: dict = {}
        self._chains: dict = {}

    def _gitignore(self, directory: str):
        """The patterns of `directory/.gitignore` (None when there is none), read once."""
        if directory in self._ignores:
            return self._ignores[directory]
        lines: List[str] = []
        names = [".gitignore"] + ([".git/info/exclude"] if directory == self._root_str else [])
        for name in names:
            f = os.path.join(directory, name)
            try:
                if os.path.isfile(f) and not os.path.islink(f) and os.path.getsize(f) <= 1024 * 1024:
                    with open(f, encoding="utf-8", errors="replace") as fh:
                        lines.extend(fh.read().splitlines())
            except OSError:
                continue
        spec = _gitignore_spec(lines)
        self._ignores[directory] = spec
        return spec

    def _chain(self, parts: Tuple[str, ...]) -> list:
        """[(spec, i)] for the `.gitignore` files on the way from the repository root to the
        directory `parts` (relative to it): each applies to the path's parts from `i` on."""
        chain = self._chains.get(parts)
        if chain is None:
            if parts:
                chain = list(self._chain(parts[:-1]))
                directory = self._root_str + "/" + "/".join(parts)
            else:
                chain, directory = [], self._root_str
            spec = self._gitignore(directory)
            if spec is not None:
                chain.append((spec, len(parts)))
            self._chains[parts] = chain
        return chain

    def _git_ignored(self, full: str, is_dir: bool) -> bool:
        root = self._root_str
        if not full.startswith(self._root_prefix) or full == root:
            return False
        parts = full[len(self._root_prefix):].split("/")
        verdict = None
        tail = "/" if is_dir else ""
        for spec, i in self._chain(tuple(parts[:-1])):
            res = spec.check_file("/".join(parts[i:]) + tail)
            if res.include is not None:
                verdict = res.include
        return bool(verdict)

    def excluded(self, path: str, is_dir: bool, full: Optional[str] = None, listing: Optional[bool] = None) -> bool:
        """`full`: the absolute path of `path`, when the caller knows it; `listing`: True when
        the caller tests the directory's own listing for a virtual environment."""
        if is_dir:
            name = os.path.basename(path)
            if name in DEFAULT_EXCLUDES or (listing is None and os.path.isfile(os.path.join(path, "pyvenv.cfg"))):
                return True
        if self.spec is None and self.root is None:
            return False
        if full is None:
            full = os.path.abspath(path)
        if self.spec is not None:
            if full.startswith(self._base_prefix):
                rel = full[len(self._base_prefix):]
            elif full == self._base_str:
                rel = "."
            else:
                rel = os.path.relpath(full, self._base_str).replace(os.sep, "/")
            if self.spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return self.root is not None and self._git_ignored(full, is_dir)


def _kustomization_in(top: str, names: set) -> bool:
    """kustomize.kustomization_file(top) is not None, from the directory's listing."""
    return any(name in names and os.path.isfile(os.path.join(top, name)) for name in KUSTOMIZATION_NAMES)


def _walk(top: str, excluder: Excluder, kustomize: bool = False, consumed: Optional[set] = None,
          rel: str = "", full: Optional[str] = None, nested: bool = False):
    """(path, kind, path relative to `top`, plain) for the files below `top`, sorted, without
    following directory symlinks (no loops). `plain`: a regular file reached without following
    any symlink below `top`, so it lies inside `top`'s real directory by construction (the
    filesystem policy reads it without resolving it again). With `kustomize`, a directory
    holding a kustomization is also yielded as one ("kustomize") entry; the files it renders
    from (its own directory's files and every file its resources/patches name) are not yielded
    as manifests, other subdirectories are."""
    consumed = set() if consumed is None else consumed
    if full is None:
        full = os.path.abspath(top)
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    names = {e.name for e in entries} if nested else None
    if nested and "pyvenv.cfg" in names and os.path.isfile(os.path.join(top, "pyvenv.cfg")):
        return  # a Python virtual environment (Excluder.excluded, from the listing)
    if nested and kustomize and _kustomization_in(top, names):
        yield top, "kustomize", rel.rstrip("/"), False
        consumed |= consumed_files(top)
    real_top = None
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            link = not is_dir and entry.is_symlink()
            # files, special files and symlinks not leading to a directory: whether one may be
            # read is the filesystem policy's decision (rclint.fspolicy), which reports refusals
            is_file = not is_dir and not (link and entry.is_dir())
            plain = is_file and not link and entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        path = entry.path
        if is_dir:
            sub = full + "/" + name if full != "/" else "/" + name
            if not excluder.excluded(path, True, sub, listing=True):
                yield from _walk(path, excluder, kustomize, consumed, rel + name + "/", sub, True)
        elif is_file:
            if consumed:
                if link:
                    real = os.path.realpath(path)
                else:
                    if real_top is None:
                        real_top = os.path.realpath(top)
                    real = real_top + "/" + name if real_top != "/" else "/" + name
                if real in consumed:
                    continue
            kind = classify(path)
            if kind is not None and not excluder.excluded(path, False, full + "/" + name if full != "/" else "/" + name):
                yield path, kind, rel + name, plain


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
        if os.path.isdir(arg):
            found = [(p, None) for p, k, _rel, _plain in _walk(arg, Excluder([], arg)) if k == "node"]
        else:  # a file, or a pipe the user named (`--node-config <(ssh node cat ...)`): read once, bounded
            found = [(arg, why)]
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
        top = os.path.abspath(arg)
        top_prefix = top.rstrip("/") + "/"
        real_root = None
        for full, kind, rel, plain in _walk(arg, excluder, kustomize=True, consumed=consumed, full=top):
            if kind == "kustomize":
                out.append(InputFile(full, display_name(prefix + rel), "kustomize", root=os.path.realpath(arg)))
                continue
            key = top_prefix + rel
            if key in seen or key in skip:
                continue
            seen.add(key)
            if "-" in settings.paths and prefix + rel == settings.stdin_filename:
                continue  # standard input stands for this file
            if plain and real_root is None:
                real_root = os.path.realpath(arg)
            out.append(InputFile(full, prefix + rel, kind, walked=real_root if plain else None))
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
