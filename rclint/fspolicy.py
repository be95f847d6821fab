"""The filesystem policy: which paths rclint may open, and how it reads and writes them.

Every read and write of rclint goes through here, so a new reader cannot forget a rule.

Trust:

* Paths the user names on the command line (files, `--node-config`, `--baseline`, `-`) are
  trusted: they may lie anywhere (`/tmp/x.yaml`, `<(helm template ...)`, a FIFO or a pipe is
  read, bounded).
* Everything else is named by the scanned tree, which is untrusted: files found by walking a
  directory, containerd `imports`, CRI-O drop-ins, paths named by the repository's own
  configuration. Such a path is resolved (symlinks followed, `..` removed) and must lie inside
  the scanned roots, or inside the node root for a node config's imports and drop-ins; it must
  be a regular file. Anything else raises `Refused` (an `OSError` whose `strerror` is the
  one-line reason) before the file is opened.
* Every read is bounded: the size is checked with `fstat` on the opened descriptor before
  reading, and no more than the limit plus one byte is ever read. Untrusted files are opened
  with `O_NONBLOCK|O_NOFOLLOW`, so a FIFO never blocks and a swapped symlink is not followed.

Writes (`-o FILE`, `--write-baseline FILE`) go to a temporary file created with
`O_CREAT|O_EXCL|O_NOFOLLOW` in the target's directory and are renamed into place (atomic); an
existing symlink at the target, dangling or not, or a symlinked directory inside a scanned root
on the way to it, is refused.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

DEFAULT_MAX_SIZE = 20 * 1024 * 1024
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CHUNK = 1 << 20


class Refused(OSError):
    """rclint will not read (or write) this path; `strerror`/`reason` says why in one line."""

    def __init__(self, reason: str, filename: Optional[str] = None, kind: str = "refused"):
        super().__init__(None, reason, filename)
        self.reason = reason
        self.kind = kind  # "outside", "special", "size", "symlink", "closed"

    def __str__(self) -> str:
        return self.reason

    def finding(self, subject: str, path: str, span=None, field: str = "read"):
        """The RCL003 finding for this refusal: `{subject} not read: it {reason}`, the fix, and why."""
        from rclint.model import Finding, Span

        help_, note = _ADVICE.get(self.kind, ("", ""))
        return Finding("RCL003", f"{subject} not read: it {self.reason}", path, span or Span(1, 1), field=field,
                       help=help_, notes=(note,) if note else ())


_ADVICE = {
    "outside": ("keep the file inside the scanned directory, or name it on the command line to lint it",
                "rclint reads only files inside the directories it scans (a node config's imports and drop-ins: "
                "inside its node root); a path the tree names never leads out of it"),
    "special": ("replace it with a regular file, or list it under `exclude`",
                "rclint reads only regular files from the scanned tree, so a FIFO or a device can neither block "
                "nor flood a run"),
}


class TooLarge(Refused):
    def __init__(self, size: Optional[int], limit: int, filename: Optional[str] = None):
        what = f"file is {size:,} bytes, over" if size is not None else "input is over"
        super().__init__(f"{what} the {limit:,}-byte limit (raise `max-file-size` in the configuration to lint it)",
                         filename, "size")
        self.size = size
        self.limit = limit


def inside(path: str, root: str) -> bool:
    """Is the (absolute, normalised) `path` the directory `root` or below it?"""
    if root == os.sep:
        return path.startswith(os.sep)
    return path == root or path.startswith(root + os.sep)


def file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def file_key(path: str):
    """The file a path reaches, (st_dev, st_ino); the normalised path when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return os.path.normpath(os.path.abspath(path))
    return (st.st_dev, st.st_ino)


def _read_bounded(fd: int, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to tell that a file is over the limit."""
    parts: List[bytes] = []
    got = 0
    while got <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _outside_reason(path: str, where: str) -> str:
    if os.path.islink(path):
        return f"is a symbolic link out of {where}"
    return f"resolves outside {where}"


class FsPolicy:
    """One run's answer to "may rclint open this path?".

    roots: directories (or files) the user asked to scan; untrusted paths must resolve inside
    one of them (or inside the `within` directory a caller gives). trusted: paths the user
    named on the command line, read as named.
    """

    def __init__(self, roots: Iterable[str] = (), trusted: Iterable[str] = (), max_size: int = DEFAULT_MAX_SIZE):
        self.roots: List[Tuple[str, str]] = []  # (absolute path, real path)
        for r in roots:
            self.add_root(r)
        self.trusted = {os.path.abspath(t) for t in trusted}
        self.max_size = max_size
        self._approved: Dict[str, Optional[str]] = {}  # absolute path -> region it was read in
        self._walked: Dict[str, str] = {}  # path as walked -> the real root (see read_walked)
        self._walked_index: Optional[tuple] = None

    @classmethod
    def for_settings(cls, settings) -> "FsPolicy":
        """The policy of one run: the directories to scan are the roots; the files the user named
        (and the node configs the configuration names, which `rclint.settings` keeps inside the
        configuration's directory) are trusted."""
        named = [p for p in settings.paths if p != "-"] + list(settings.node_configs) + [
            c for pool in settings.node_pools for c in pool.runtime_configs]
        roots = [p for p in named if os.path.isdir(p)]
        trusted = [p for p in named if not os.path.isdir(p)]
        return cls(roots, trusted, settings.max_file_size)

    # ------------------------------------------------------------------ where

    def named_inside(self, path: str) -> bool:
        """Does `path`, as written (before resolving symlinks), lie inside a scanned root?"""
        ap = os.path.abspath(path)
        return any(inside(ap, a) for a, _r in self.roots if a != os.sep)

    def resolves_inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(inside(real, r) for _a, r in self.roots)

    def add_root(self, path: str) -> None:
        entry = (os.path.abspath(path), os.path.realpath(path))
        if entry not in self.roots:
            self.roots.append(entry)

    def is_trusted(self, path: str) -> bool:
        return os.path.abspath(path) in self.trusted

    def root_of(self, path: str) -> Optional[str]:
        """The real path of the deepest root holding `path` (lexically, or once resolved)."""
        ap, real = os.path.abspath(path), os.path.realpath(path)
        best: Optional[Tuple[int, str]] = None
        for absroot, realroot in self.roots:
            if inside(ap, absroot) or inside(real, realroot):
                if best is None or len(realroot) > best[0]:
                    best = (len(realroot), realroot)
        return best[1] if best else None

    def region(self, path: str, node_root: Optional[str] = None) -> str:
        """Where the files a node config names (imports, drop-ins) may lie: its node root when that
        lies inside the scanned root holding the config, else that root; for a config the user
        named outside every root, its node root or its own directory."""
        root = self.root_of(path)
        nr = os.path.realpath(node_root) if node_root else None
        if root is not None:
            return nr if nr is not None and inside(nr, root) else root
        return nr if nr is not None else os.path.realpath(os.path.dirname(os.path.abspath(path)))

    def _where(self, within: str) -> str:
        return "the scanned tree" if any(within == r for _a, r in self.roots) else "the node root"

    def check(self, path: str, within: Optional[str] = None) -> str:
        """The real path of an untrusted `path`, or Refused when it resolves outside `within`
        (a real directory) or, without `within`, outside every root."""
        real = os.path.realpath(path)
        if within is not None:
            if not inside(real, within):
                raise Refused(_outside_reason(path, self._where(within)), path, "outside")
            return real
        if not any(inside(real, r) for _a, r in self.roots):
            raise Refused(_outside_reason(path, "the scanned tree"), path, "outside")
        return real

    # ------------------------------------------------------------------ reading

    def read_bytes(self, path: str, *, trusted: Optional[bool] = None, within: Optional[str] = None,
                   max_size: Optional[int] = None, regular_only: bool = False) -> bytes:
        """The bytes of a file, bounded by `max_size`. Untrusted paths (the default unless the
        user named the path) must resolve inside `within` or the roots and be regular files."""
        limit = self.max_size if max_size is None else max_size
        if trusted is None:
            trusted = self.is_trusted(path)
        if trusted and self.named_inside(path):
            trusted = False  # named by the user, but lying in the scanned tree: its symlinks are the tree's
        if trusted:
            data = read_trusted(path, limit, regular_only=regular_only)
            self._approved[os.path.abspath(path)] = None
            return _observed(path, data)
        real = self.check(path, within)
        data = read_regular(real, limit, shown=path)
        self._approved[os.path.abspath(path)] = within or ""
        return _observed(path, data)

    def read_walked(self, path: str, real_root: str) -> bytes:
        """read_bytes for a file the directory walk reached without following any symlink below
        the scanned root `real_root` resolves to: it lies inside that root by construction, so it
        is not resolved again. It is opened without following a symlink and without blocking,
        and must be a regular file (else the checks of read_bytes decide and say why)."""
        try:
            fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_NOFOLLOW | _O_CLOEXEC | _O_NOCTTY)
        except OSError:
            return self.read_bytes(path, trusted=False)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"is {file_kind(st.st_mode)}, not a regular file", path, "special")
            if st.st_size > self.max_size:
                raise TooLarge(st.st_size, self.max_size, path)
            data = os.read(fd, st.st_size + 1) if st.st_size < _CHUNK else None
            if data is None or len(data) != st.st_size:  # big, short read or grown: the bounded reader
                os.lseek(fd, 0, os.SEEK_SET)
                data = _read_checked(fd, self.max_size, path, regular_only=True)
        finally:
            os.close(fd)
        self._walked[path] = real_root
        return _observed(path, data)

    def _walked_by_abspath(self) -> Dict[str, str]:
        if self._walked_index is None or len(self._walked_index[0]) != len(self._walked):
            self._walked_index = (dict(self._walked), {os.path.abspath(p): r for p, r in self._walked.items()})
        return self._walked_index[1]

    def read_text(self, path: str, **kw) -> str:
        from rclint.textio import decode

        return decode(self.read_bytes(path, **kw))

    def read_again(self, path: str) -> bytes:
        """A file this policy let rclint read before, read again under the same rule."""
        key = os.path.abspath(path)
        walked = self._walked_by_abspath().get(key)
        if walked is not None:
            return self.read_walked(path, walked)
        if key not in self._approved:
            raise Refused("was not read before; not read now", path)
        region = self._approved[key]
        if region is None:
            return _observed(path, read_trusted(path, self.max_size))
        return _observed(path, read_regular(self.check(path, region or None), self.max_size, shown=path))

    def reader(self, main: str, explicit: bool, within: str) -> Callable[[str], str]:
        """read_text for a node config: the main file as discovered or named, the files it names
        (imports, drop-ins) only inside `within`."""
        main_abs = os.path.abspath(main)

        def read(path: str) -> str:
            if os.path.abspath(path) == main_abs:
                return self.read_text(path, trusted=explicit or None)
            return self.read_text(path, trusted=False, within=within)

        return read

    def read_stdin(self, max_size: Optional[int] = None) -> bytes:
        limit = self.max_size if max_size is None else max_size
        return read_stdin(limit)

    # ------------------------------------------------------------------ directories

    def globber(self, within: str) -> Callable[[str], List[str]]:
        """containerd's filepath.Glob, never listing a directory outside `within`."""
        from rclint.runtimes.containerd import go_glob

        def glob(pattern: str) -> List[str]:
            if not inside(os.path.normpath(os.path.abspath(pattern)), within):
                raise Refused(f"resolves outside {self._where(within)}", pattern, "outside")
            refused: List[str] = []

            def listdir(d: str) -> List[str]:
                real = os.path.realpath(d)
                if not inside(real, within):
                    refused.append(d)
                    return []
                return os.listdir(real)

            matches = go_glob(pattern, listdir=listdir)
            if refused:
                raise Refused(_outside_reason(refused[0], self._where(within)), refused[0], "outside")
            return matches

        return glob

    def dropins(self, directory: str, within: str) -> Tuple[List[str], List[Tuple[str, str]]]:
        """The files of a crio.conf.d directory as CRI-O lists them (lexical per directory, depth
        first), each reached file once, never leaving `within`; -> (paths, [(path, reason)]).
        A directory reached twice (a symlink to `.`) is walked once. Raises Refused when
        `directory` itself resolves outside `within`."""
        files: List[str] = []
        refused: List[Tuple[str, str]] = []
        seen_dirs = set()
        seen_files = set()
        top = self.check(directory, within)
        if not os.path.isdir(top):
            raise Refused("is not a directory", directory, "special")

        def walk(shown: str, real: str) -> None:
            try:
                st = os.stat(real)
                if (st.st_dev, st.st_ino) in seen_dirs:
                    return
                seen_dirs.add((st.st_dev, st.st_ino))
                names = sorted(os.listdir(real))
            except OSError:
                return
            for name in names:
                full = os.path.join(shown, name)
                target = os.path.realpath(full)
                if not inside(target, within):
                    refused.append((full, _outside_reason(full, self._where(within))))
                    continue
                if os.path.isdir(target):
                    walk(full, target)
                    continue
                key = file_key(target)
                if key in seen_files:
                    continue
                seen_files.add(key)
                files.append(full)

        walk(directory, top)
        return files, refused


# ---------------------------------------------------------------------- plain readers


def read_regular(real: str, limit: int, shown: Optional[str] = None) -> bytes:
    """Read an untrusted, already resolved path: a regular file only, opened without following
    a symlink and without blocking, its size checked on the descriptor before reading."""
    shown = shown or real
    st = os.stat(real)  # FileNotFoundError etc. are the caller's to report
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"is {file_kind(st.st_mode)}, not a regular file", shown, "special")
    if st.st_size > limit:
        raise TooLarge(st.st_size, limit, shown)
    fd = os.open(real, os.O_RDONLY | _O_NONBLOCK | _O_NOFOLLOW | _O_CLOEXEC | _O_NOCTTY)
    try:
        return _read_checked(fd, limit, shown, regular_only=True)
    finally:
        os.close(fd)


def _read_checked(fd: int, limit: int, shown: str, regular_only: bool) -> bytes:
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode) or (regular_only and not stat.S_ISREG(st.st_mode)):
        raise Refused(f"is {file_kind(st.st_mode)}, not a regular file", shown, "special")
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise TooLarge(st.st_size, limit, shown)
    data = _read_bounded(fd, limit)
    if len(data) > limit:
        raise TooLarge(st.st_size if stat.S_ISREG(st.st_mode) else None, limit, shown)
    return data


def read_trusted(path: str, limit: int, regular_only: bool = False) -> bytes:
    """Read a path the user named: symlinks followed, pipes and devices read too (bounded)
    unless `regular_only`; a special file is never opened when it will be refused."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", path)
    if not stat.S_ISREG(st.st_mode) and regular_only:
        raise Refused(f"is {file_kind(st.st_mode)}, not a regular file", path, "special")
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise TooLarge(st.st_size, limit, path)
    flags = os.O_RDONLY | _O_CLOEXEC | _O_NOCTTY
    if regular_only:
        flags |= _O_NONBLOCK
    fd = os.open(path, flags)
    try:
        return _read_checked(fd, limit, path, regular_only)
    finally:
        os.close(fd)


def read_stdin(limit: int) -> bytes:
    """Standard input, at most `limit` bytes (more is an error, not a bigger buffer)."""
    stream = sys.stdin
    if stream is None:
        raise Refused("is closed (standard input)", "-", "closed")
    buf = getattr(stream, "buffer", None)
    try:
        if buf is None:
            text = stream.read(limit + 1)
            data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
        else:
            parts: List[bytes] = []
            got = 0
            while got <= limit:
                chunk = buf.read(min(_CHUNK, limit + 1 - got))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
    except ValueError:  # a closed file object
        raise Refused("is closed (standard input)", "-", "closed") from None
    if len(data) > limit:
        raise TooLarge(None, limit, "-")
    return data


def read_config_file(path: str, limit: int = DEFAULT_MAX_SIZE) -> bytes:
    """A configuration file (.rclint.toml, pyproject.toml): a regular file, bounded."""
    return read_trusted(path, limit, regular_only=True)


def _observed(path: str, data: bytes) -> bytes:
    """While `--fix` runs, the bytes an earlier fix pass produced for this file (see rclint.fixes)."""
    from rclint import fixes

    if fixes._ACTIVE is None:
        return data
    from rclint.settings import display_path

    return fixes.observed(display_path(path), path, data)


# ---------------------------------------------------------------------- writing


def check_writable(path: str, roots: Sequence[str] = ()) -> None:
    """Refuse a target rclint would write through: an existing symlink (dangling or not), a
    directory, or a path whose directory inside a scanned root is reached through a symlink."""
    if os.path.islink(path):
        raise Refused("it is a symbolic link; rclint never writes through one (remove it or choose another path)",
                      path, "symlink")
    if os.path.isdir(path):
        raise Refused("it is a directory", path, "special")
    parent = os.path.dirname(os.path.abspath(path))
    for root in roots:
        absroot = os.path.abspath(root)
        if not os.path.isdir(absroot) or not inside(parent, absroot):
            continue
        expected = os.path.normpath(os.path.join(os.path.realpath(absroot), os.path.relpath(parent, absroot)))
        if os.path.realpath(parent) != expected:
            raise Refused("its directory is reached through a symbolic link inside the scanned tree; rclint never "
                          "writes through one", path, "symlink")


def write_file(path: str, text, roots: Sequence[str] = ()) -> None:
    """Write `text` (a string, or its pieces) to `path` atomically: a new temporary file in the
    same directory (O_EXCL, O_NOFOLLOW), then renamed over the target. A FIFO or device at the
    target (e.g. /dev/null) is written in place, never replaced."""
    if isinstance(text, str):
        write_bytes(path, text.encode("utf-8", "surrogateescape"), roots)
    else:
        write_bytes(path, (piece.encode("utf-8", "surrogateescape") for piece in text), roots)


def write_bytes(path: str, data, roots: Sequence[str] = (), unchanged: Optional[bytes] = None) -> None:
    """write_file for bytes (or pieces of bytes). With `unchanged` (a fix rewriting a file rclint read), the target
    must be a regular file that still holds exactly those bytes, checked before the temporary
    file is written and again (same inode, size and mtime) just before the rename."""
    check_writable(path, roots)
    try:
        st: Optional[os.stat_result] = os.lstat(path)
    except FileNotFoundError:
        st = None
    if unchanged is not None:
        if st is None or not stat.S_ISREG(st.st_mode):
            raise Refused("it is no longer the regular file rclint read", path, "special")
        try:
            current = read_regular(path, len(unchanged), shown=path)
        except TooLarge:
            current = None
        except OSError as exc:
            raise Refused(f"it cannot be read again ({exc.strerror or exc})", path) from None
        if current != unchanged:
            raise Refused("it changed on disk since rclint read it", path, "changed")
    if st is not None and not stat.S_ISREG(st.st_mode):
        fd = os.open(path, os.O_WRONLY | _O_NOFOLLOW | _O_CLOEXEC | _O_NOCTTY)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        return
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
    for attempt in range(100):
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{attempt}.rclint-tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:
        raise Refused("cannot create a temporary file next to it", path)
    try:
        try:
            _write_all(fd, data)
            if st is not None and hasattr(os, "fchmod"):  # keep the mode of the file it replaces
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
        finally:
            os.close(fd)
        check_writable(path, roots)
        if unchanged is not None:
            after = os.lstat(path)
            if (after.st_ino, after.st_size, after.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
                raise Refused("it changed on disk since rclint read it", path, "changed")
        os.replace(tmp, path)  # rename never follows a symlink at the target
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def append_file(path: str, text: str) -> None:
    """Append to a file the CI runner names (GITHUB_STEP_SUMMARY): never through a symlink,
    never creating anything but that file."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC | _O_NOCTTY, 0o666)
    try:
        _write_all(fd, text.encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)


def _write_all(fd: int, data) -> None:
    """Write bytes, or pieces of bytes as they come (gathered up to 64 KiB a write)."""
    if isinstance(data, (bytes, bytearray)):
        data = (data,)
    buf = bytearray()
    for piece in data:
        buf += piece
        if len(buf) >= 1 << 16:
            _write_view(fd, buf)
            buf = bytearray()
    _write_view(fd, buf)


def _write_view(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
