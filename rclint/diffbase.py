"""`--diff-base REV`: report only the findings a change introduces, wherever they appear.

The working tree is linted as usual; the same tree at git revision REV is materialised in a
private temporary directory (from git's object database: `git ls-tree` + `git cat-file`, so no
checkout, hook, filter or attribute of the repository runs) and linted with the same settings,
from the same relative working directory. A finding of the working tree is new unless the base
has one with the same line-independent identity (the fingerprint baselines use: rule, path,
object, field), counted as a multiset. Files git sees as renamed since REV keep their
findings' identities, so a rename or moved lines report nothing new.
"""

from __future__ import annotations

import copy
import os
import shutil
import stat
import subprocess
import tempfile
from collections import Counter
from dataclasses import replace
from typing import Callable, Dict, List, Optional, Tuple

from rclint.model import Finding
from rclint.settings import ConfigError, Settings

GIT_TIMEOUT = 600


class DiffBaseError(ConfigError):
    """A usage problem with --diff-base: exit 2 with this one line."""


def _git(args: List[str], cwd: str, *, input_bytes: Optional[bytes] = None) -> bytes:
    try:
        # no fsmonitor hook, no external diff or textconv driver: nothing the repository configures runs
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", *args], cwd=cwd, input=input_bytes, capture_output=True, timeout=GIT_TIMEOUT,
                              stdin=None if input_bytes is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise DiffBaseError("--diff-base needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise DiffBaseError(f"--diff-base: git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, proc.stdout, proc.stderr)
    return proc.stdout


def repository_root(cwd: str) -> str:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except subprocess.CalledProcessError:
        raise DiffBaseError("--diff-base works inside a git repository, and this is not one") from None
    return os.fsdecode(out.rstrip(b"\n"))


def resolve_revision(root: str, rev: str) -> Optional[str]:
    """The commit `rev` names; None for HEAD in a repository with no commit yet (all is new)."""
    if not rev or rev.startswith("-"):
        raise DiffBaseError(f"--diff-base {rev!r}: not a revision")
    if rev == "HEAD":
        try:
            _git(["rev-parse", "--verify", "--quiet", "HEAD"], root)
        except subprocess.CalledProcessError:
            try:
                _git(["symbolic-ref", "--quiet", "HEAD"], root)
                return None  # an unborn branch: the first commit
            except subprocess.CalledProcessError:
                pass
    try:
        out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    except subprocess.CalledProcessError:
        raise DiffBaseError(f"--diff-base {rev}: no such revision in this repository "
                            "(in CI, fetch it first, e.g. actions/checkout with fetch-depth: 0)") from None
    return out.decode("ascii").strip()


def _safe_parts(path: str) -> Optional[List[str]]:
    parts = path.split("/")
    for p in parts:
        if p in ("", ".", "..") or p.lower() == ".git" or "\x00" in p:
            return None
    return parts


def _stays_in(directory: str, dest: str) -> bool:
    """Does `directory` (to be created below `dest`) resolve inside `dest` (rclint.fspolicy)?"""
    from rclint.fspolicy import inside

    return inside(os.path.realpath(directory), os.path.realpath(dest))


def materialise(root: str, commit: str, dest: str) -> None:
    """Write the tree of `commit` under `dest`: regular files (mode kept) and symlinks as symlinks."""
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit], root)
    entries: List[Tuple[str, str, str]] = []
    for record in listing.split(b"\x00"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.decode("ascii").split(" ")
        if kind != "blob":
            continue  # submodules (commits) have no content here
        entries.append((mode, sha, os.fsdecode(name)))
    if not entries:
        return
    blobs = _git(["cat-file", "--batch"], root, input_bytes="".join(f"{sha}\n" for _m, sha, _n in entries).encode())
    pos = 0
    for mode, sha, name in entries:
        header_end = blobs.index(b"\n", pos)
        size = int(blobs[pos:header_end].split(b" ")[2])
        content = blobs[header_end + 1:header_end + 1 + size]
        pos = header_end + 1 + size + 1
        parts = _safe_parts(name)
        if parts is None:
            continue
        target = os.path.join(dest, *parts)
        if not _stays_in(os.path.dirname(target), dest):
            continue  # a crafted tree: a symlink entry standing for a directory of later entries
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if mode == "120000":
            try:
                os.symlink(os.fsdecode(content), target)
            except OSError:
                pass
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        if mode == "100755":
            os.chmod(target, stat.S_IRWXU)


def renamed_paths(root: str, commit: str, cwd: str) -> Dict[str, str]:
    """{path at the base: path now}, both as rclint displays them (relative to cwd)."""
    try:
        out = _git(["diff", "--no-ext-diff", "--no-textconv", "--find-renames", "--name-status", "-z", commit, "--"],
                   root)
    except subprocess.CalledProcessError:
        return {}
    fields = out.split(b"\x00")
    renames: Dict[str, str] = {}
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode("ascii", "replace")
        if status.startswith(("R", "C")):
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            if status.startswith("R"):
                renames[_display(root, old, cwd)] = _display(root, new, cwd)
            i += 3
        else:
            i += 2
    return renames


def _display(root: str, repo_path: str, cwd: str) -> str:
    rel = os.path.relpath(os.path.join(root, repo_path), cwd).replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def _rebase_settings(settings: Settings, root: str, base_root: str) -> Settings:
    """The same settings, with every absolute path inside the repository moved to the base tree."""
    out = copy.deepcopy(settings)

    def move(path: Optional[str]) -> Optional[str]:
        if path is None or not os.path.isabs(path):
            return path
        real = os.path.abspath(path)
        if real == root or real.startswith(root + os.sep):
            return os.path.join(base_root, os.path.relpath(real, root))
        return path

    out.paths = [move(p) or p for p in out.paths]
    out.node_configs = [move(p) or p for p in out.node_configs]
    for pool in out.node_pools:
        pool.runtime_configs = [move(p) or p for p in pool.runtime_configs]
    out.config_dir = move(out.config_dir)
    out.baseline = None  # the base is compared raw; the baseline applies to what is new
    return out


def _object_key(f: Finding) -> Optional[tuple]:
    """The identity of a finding about a Kubernetes object, wherever the object is written."""
    from rclint.reporters.fingerprint import identity

    if f.object is None:
        return None
    parts = identity(f)
    return (parts[0], *parts[2:])  # without the path


def new_findings(current: List[Finding], base: List[Finding]) -> Tuple[List[Finding], int]:
    """(the findings of `current` not in `base`, how many were already there).

    Matched first by fingerprint (rule, path, object, field: line-independent), then, for what
    is left, findings about the same Kubernetes object by rule, object and field alone, so an
    object moved to another file keeps its findings' identities.
    """
    from rclint.baseline import subtract
    from rclint.reporters.fingerprint import fingerprint

    unmatched, known, remaining = subtract(current, Counter((f.code, fingerprint(f)) for f in base))
    left: Counter = Counter()
    for f in base:
        key = (f.code, fingerprint(f))
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            obj = _object_key(f)
            if obj is not None:
                left[obj] += 1
    kept = []
    for f in unmatched:
        obj = _object_key(f)
        if obj is not None and left.get(obj, 0) > 0:
            left[obj] -= 1
            known += 1
        else:
            kept.append(f)
    return kept, known


def base_findings(settings: Settings, rev: str, run: Callable[[Settings], object]) -> Tuple[List[Finding], str]:
    """Lint the tree at `rev` with `settings`; -> (its findings, with the paths of files renamed
    since then as they are today; the commit, for the summary note)."""
    cwd = os.getcwd()
    root = os.path.realpath(repository_root(cwd))
    commit = resolve_revision(root, rev)
    if commit is None:
        return [], "(no commit)"
    tmp = tempfile.mkdtemp(prefix="rclint-diff-base-")
    try:
        base_root = os.path.join(tmp, "tree")
        os.mkdir(base_root)
        materialise(root, commit, base_root)
        rel = os.path.relpath(os.path.realpath(cwd), root)
        base_cwd = os.path.normpath(os.path.join(base_root, rel))
        os.makedirs(base_cwd, exist_ok=True)
        base_settings = _rebase_settings(settings, root, base_root)
        os.chdir(base_cwd)
        try:
            from rclint.engine import NoInputError

            # what the change added (a new directory named on the command line) is not at the base
            base_settings.paths = [p for p in base_settings.paths if os.path.lexists(p)]
            base_settings.node_configs = [p for p in base_settings.node_configs if os.path.lexists(p)]
            findings: List[Finding] = []
            if base_settings.paths:
                try:
                    findings = list(run(base_settings).findings)  # type: ignore[attr-defined]
                except NoInputError:
                    pass  # nothing to lint at the base: everything is new
        finally:
            os.chdir(cwd)
        renames = renamed_paths(root, commit, cwd)
        return [replace(f, path=renames.get(f.path, f.path)) for f in findings], commit
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
