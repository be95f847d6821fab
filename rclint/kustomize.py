"""Rendering Kustomize directories with `kubectl kustomize`, on a short leash.

A directory holding a `kustomization.yaml` is not a set of manifests: its files are bases,
patches and generator inputs, and only the rendered output is what reaches the cluster. rclint
renders it with the kubectl on PATH and lints the output as one input named
`<dir>/<kustomize build>`; each finding there also points (as a related location) at the file
the object came from, read from the `config.kubernetes.io/origin` annotation that kustomize's
`buildMetadata: [originAnnotations]` adds.

The tree is untrusted, and kustomize can fetch remote bases (git, HTTP) and read files outside
the kustomization. So before kubectl runs, every kustomization reachable through `resources`,
`bases` and `components` is read by rclint itself and the render is refused when one of them
names a URL or a path outside the linted tree, or when a symlink below a kustomization leaves
the tree. kubectl then runs with `--load-restrictor LoadRestrictionsRootOnly` (files only from
the kustomization's own directory), without Helm, exec or container plugins (their flags are
never passed), with network access pointed at a closed port and git protocols disabled, with a
timeout and a cap on the output size. The wrapper kustomization that asks for origin
annotations is written to a fresh temporary directory, never into the tree.

When kubectl is missing, or a render is refused or fails, the directory gets one info finding
(RCL005) that says why and how to render it yourself and pipe it in.
"""

from __future__ import annotations

import os
import time
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from typing import Dict, List, Optional, Tuple

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
TIMEOUT = 60  # seconds for one `kubectl kustomize`
REFERENCE_KEYS = ("resources", "bases", "components")
MAX_KUSTOMIZATION = 1024 * 1024  # bytes of one kustomization file rclint reads itself
DISPLAY_SUFFIX = "<kustomize build>"

_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|\.git(?:$|/|//)",
                     re.I)


def kustomization_file(directory: str) -> Optional[str]:
    for name in NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def display_name(directory_display: str) -> str:
    prefix = "" if directory_display in ("", ".") else directory_display.rstrip("/") + "/"
    return prefix + DISPLAY_SUFFIX


def _read_refs(kfile: str) -> Tuple[List[str], Optional[str]]:
    """The entries of resources/bases/components, or a reason the file cannot be judged."""
    from rclint.textio import DecodeError, decode
    from rclint.yamlsource import Chunk, YamlLimitError, YamlSyntaxError, parse_chunk

    from rclint.fspolicy import read_regular

    try:
        text = decode(read_regular(os.path.realpath(kfile), MAX_KUSTOMIZATION, shown=kfile))
        docs = list(parse_chunk(Chunk(text, 0, 0), kfile))
    except (OSError, ValueError, DecodeError, YamlSyntaxError, YamlLimitError) as exc:
        return [], f"cannot read {os.path.basename(kfile)}: {getattr(exc, 'message', None) or exc}"
    refs: List[str] = []
    for doc in docs:
        if not isinstance(doc.value, dict):
            continue
        for key in REFERENCE_KEYS:
            items = doc.value.get(key)
            if isinstance(items, list):
                refs.extend(str(i) for i in items if isinstance(i, (str, int, float)))
    return refs, None


PATH_LIST_KEYS = ("resources", "components", "patchesStrategicMerge", "crds")
PATH_ITEM_KEYS = ("patches", "patchesJson6902", "replacements")


def consumed_files(directory: str) -> set:
    """Real paths of the files a render reads as objects or patches: every file in the
    kustomization's own directory and the local files its lists name. They are not linted one
    by one (a patch is no whole object); the rendered output stands for them."""
    out = set()
    try:
        for entry in os.scandir(directory):
            if entry.is_file():
                out.add(os.path.realpath(entry.path))
    except OSError:
        return out
    kfile = kustomization_file(directory)
    doc = _load(kfile) if kfile else None
    if not isinstance(doc, dict):
        return out
    names = []
    for key in PATH_LIST_KEYS:
        items = doc.get(key)
        if isinstance(items, list):
            names.extend(i for i in items if isinstance(i, str))
    for key in PATH_ITEM_KEYS:
        items = doc.get(key)
        if isinstance(items, list):
            names.extend(i["path"] for i in items if isinstance(i, dict) and isinstance(i.get("path"), str))
    out.update(_local_targets(directory, names, os.path.isfile))
    return out


def _local_targets(directory: str, names: List[str], kind) -> List[str]:
    """Real paths of the local (not remote) entries of `names` that are `kind` (isfile, isdir)."""
    out = []
    for name in names:
        if _REMOTE.search(name):
            continue
        target = _real(os.path.join(directory, name))
        if target is not None and kind(target):
            out.append(target)
    return out


def _load(kfile: str):
    from rclint.textio import DecodeError, decode
    from rclint.yamlsource import Chunk, YamlLimitError, YamlSyntaxError, parse_chunk

    from rclint.fspolicy import read_regular

    try:
        docs = list(parse_chunk(Chunk(decode(read_regular(os.path.realpath(kfile), MAX_KUSTOMIZATION)), 0, 0), kfile))
    except (OSError, ValueError, DecodeError, YamlSyntaxError, YamlLimitError):
        return None
    return docs[0].value if docs else None


def _real(path: str) -> Optional[str]:
    """realpath, or None for a path no file system accepts (a NUL byte in a name from the tree)."""
    try:
        return os.path.realpath(path)
    except (ValueError, OSError):
        return None


def _inside(path: str, root: str) -> bool:
    real = _real(path)
    return real is not None and (real == root or real.startswith(root.rstrip(os.sep) + os.sep))


def local_bases(directory: str) -> List[str]:
    """Real paths of the local directories this kustomization builds on (for "is it a base?")."""
    kfile = kustomization_file(directory)
    if kfile is None:
        return []
    refs, _problem = _read_refs(kfile)
    return _local_targets(directory, refs, os.path.isdir)


def _each_once(directory: str):
    """(directory, worklist) for `directory` and each directory a caller appends to the
    worklist, each real directory once (bases may share bases, or build on each other)."""
    todo, seen = [os.path.realpath(directory)], set()
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            yield d, todo


def refusal(directory: str, root: str) -> Optional[str]:
    """Why this kustomization must not be rendered (remote or outside references), or None."""
    root = os.path.realpath(root)
    for d, todo in _each_once(directory):
        if not _inside(d, root):
            return f"it builds on {d}, outside the linted tree"
        kfile = kustomization_file(d)
        if kfile is None:
            continue
        try:
            for entry in os.scandir(d):
                if entry.is_symlink() and not _inside(entry.path, root):
                    return f"{entry.name} in {os.path.basename(d) or d} is a symlink out of the linted tree"
        except OSError as exc:
            return f"cannot list {d}: {exc.strerror}"
        refs, problem = _read_refs(kfile)
        if problem:
            return problem
        for ref in refs:
            if _REMOTE.search(ref):
                return f"it references the remote resource {ref!r}"
            target = os.path.join(d, ref)
            if not _inside(target, root):
                return f"it references {ref!r}, outside the linted tree"
            if os.path.isdir(target):
                todo.append(_real(target) or target)
    return None


# What a rule can look at (the loader's relevance test, as bytes): a render whose inputs mention
# none of these cannot produce a document any rule reads, so it is not run at all.
_MARKERS = (b"untimeClass", b"overhead", b"Node", b"KubeletConfiguration")
MAX_SCAN_FILES = 2000
MAX_SCAN_BYTES = 32 * 1024 * 1024


def _objects_matter(data: bytes) -> bool:
    """Whether a file of objects holds a document that mentions a marker and is of a kind a
    rule may read (the loader's test: `rclint.loader._no_rule_reads`)."""
    from rclint.loader import _no_rule_reads
    from rclint.yamlsource import split_kube

    text = data.decode("utf-8", "replace")
    chunks, _error = split_kube(text)
    return any(any(m in c.text for m in _TEXT_MARKERS) and not _no_rule_reads(c.text) for c in chunks)


_TEXT_MARKERS = tuple(m.decode() for m in _MARKERS)
# Every field of a kustomization that names local files or directories. Objects come from the
# first four; the others hold patches, replacements and plugin configurations, which can write
# any field of any object, so their text counts as it is.
OBJECT_KEYS = ("resources", "bases", "components", "crds")
FILE_LIST_KEYS = OBJECT_KEYS + ("patchesStrategicMerge", "transformers", "generators", "validators",
                                "configurations")


def _references(directory: str):
    """(object files, other files, directories) the kustomization in `directory` names, as real
    paths; None when it cannot be read."""
    kfile = kustomization_file(directory)
    doc = _load(kfile) if kfile else None
    if not isinstance(doc, dict):
        return None
    objects: List[str] = []
    others: List[str] = []
    dirs: List[str] = []

    def add(name, key):
        if not isinstance(name, str) or _REMOTE.search(name):
            return
        target = _real(os.path.join(directory, name))
        if target is None:
            return
        if os.path.isdir(target):
            dirs.append(target)
        elif os.path.isfile(target):
            (objects if key in OBJECT_KEYS else others).append(target)

    for key in FILE_LIST_KEYS:
        items = doc.get(key)
        if isinstance(items, list):
            for item in items:
                add(item, key)
    for key in PATH_ITEM_KEYS:
        items = doc.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    add(item.get("path"), key)
    openapi = doc.get("openapi")
    if isinstance(openapi, dict):
        add(openapi.get("path"), "openapi")
    return objects, others, dirs


def could_matter(directory: str, root: str) -> bool:
    """False only when nothing a render reads mentions anything a rule looks at (see
    `_MARKERS`): the kustomization files and every patch, replacement or plugin configuration
    they name, as text; the object files they name (and the other files of their directories),
    only in documents of a kind a rule may read. Local bases and components are followed.
    Whatever cannot be judged (too many files, unreadable, outside the tree) counts as mattering."""
    from rclint.fspolicy import read_regular

    root = os.path.realpath(root)
    budget = {"files": MAX_SCAN_FILES, "bytes": MAX_SCAN_BYTES}
    scanned: set = set()

    def mentions(real: str, as_text: bool) -> bool:
        if real in scanned:
            return False
        scanned.add(real)
        budget["files"] -= 1
        if budget["files"] < 0 or not _inside(real, root):
            return True
        try:
            data = read_regular(real, budget["bytes"])
        except (OSError, ValueError):
            return True
        budget["bytes"] -= len(data)
        if budget["bytes"] < 0:
            return True
        if not any(m in data for m in _MARKERS):
            return False
        return as_text or os.path.basename(real) in NAMES or _objects_matter(data)

    for d, todo in _each_once(directory):
        if not _inside(d, root):
            return True
        refs = _references(d)
        if refs is None:
            return True
        objects, others, dirs = refs
        own = []
        try:
            for entry in os.scandir(d):
                if entry.is_file():
                    real = _real(entry.path)
                    if real is None:
                        return True
                    own.append(real)
        except OSError:
            return True
        as_text = set(others)
        for f in sorted(set(own) | set(objects) | as_text):
            if mentions(f, f in as_text):
                return True
        todo.extend(sorted(dirs))
    return False


def kubectl() -> Optional[str]:
    import shutil  # this module is imported by discovery: keep start-up small

    return shutil.which("kubectl")


def render(directory: str, root: str, max_size: int) -> Tuple[Optional[bytes], Optional[str], Dict[int, Tuple[int, str]]]:
    """(rendered YAML, None, {line: source path}) or (None, why not, {})."""
    return start(directory, root, max_size).result()


class Render:
    """One `kubectl kustomize` run, started by `start` and read by `result()`. Its output goes
    to files, not pipes, so it runs to the end while rclint loads other files."""

    def __init__(self, done=None, proc=None, tmp=None, wrapper=None, directory=None, max_size=0):
        self.done = done  # the result, when known without running kubectl (or already read)
        self.proc, self.tmp, self.wrapper, self.directory, self.max_size = proc, tmp, wrapper, directory, max_size
        self.started = time.monotonic()

    def result(self) -> Tuple[Optional[bytes], Optional[str], Dict[int, Tuple[int, str]]]:
        if self.done is None:
            try:
                self.done = self._finish()
            finally:
                import shutil

                shutil.rmtree(self.tmp, ignore_errors=True)
        return self.done

    def _finish(self):
        import subprocess

        proc, tmp = self.proc, self.tmp
        try:
            _wait(proc, max(0.0, TIMEOUT - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None, f"kubectl kustomize did not finish within {TIMEOUT} s", {}
        out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        if proc.returncode != 0:
            with open(err_path, "rb") as fh:
                lines = fh.read(1 << 20).decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {proc.returncode}"
            detail = detail.replace(tmp, "<tmp>").replace(os.path.realpath(self.directory), ".")
            return None, f"kubectl kustomize failed: {detail[:300]}", {}
        if os.path.getsize(out_path) > self.max_size:
            return None, f"the rendered output is larger than max-file-size ({self.max_size:,} bytes)", {}
        with open(out_path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8", "replace")
        return data, None, origins(text, self.wrapper)


def _wait(proc, timeout: float) -> None:
    """proc.wait(timeout), woken by the exit itself where Linux offers a process descriptor
    (Popen.wait with a timeout polls, sleeping up to 50 ms after the child is done)."""
    import subprocess

    pidfd_open = getattr(os, "pidfd_open", None)
    fd = None
    if pidfd_open is not None:
        try:
            fd = pidfd_open(proc.pid)
        except OSError:
            fd = None
    if fd is None:
        proc.wait(timeout=timeout)
        return
    try:
        import select

        ready, _w, _x = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    proc.wait()


def start(directory: str, root: str, max_size: int) -> Render:
    """Start rendering a kustomization (or decide at once why not); `.result()` gives what
    `render` returns."""
    exe = kubectl()
    if exe is None:
        return Render((None, "kubectl is not installed", {}))
    why = refusal(directory, root)
    if why:
        return Render((None, f"rendering refused: {why}", {}))
    if not could_matter(directory, root):
        return Render((b"", None, {}))  # nothing in it mentions a RuntimeClass, an overhead or a Node
    import subprocess
    import tempfile

    tmp = tempfile.mkdtemp(prefix="rclint-kustomize-")
    wrapper = os.path.join(tmp, "wrap")
    os.mkdir(wrapper)
    try:
        target = os.path.relpath(os.path.realpath(directory), wrapper).replace(os.sep, "/")
    except ValueError:  # another drive (Windows): kustomize takes no absolute base path
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return Render((None, "the temporary directory is on another drive than the kustomization", {}))
    with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as fh:
        fh.write(f"resources:\n- {_yaml_string(target)}\nbuildMetadata: [originAnnotations]\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tmp,  # no user kubeconfig or git config
        "KUBECONFIG": os.path.join(tmp, "none"),
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": "",
        "GIT_ALLOW_PROTOCOL": "none", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
    }
    render_ = Render(tmp=tmp, wrapper=wrapper, directory=directory, max_size=max_size)
    try:
        with open(os.path.join(tmp, "out"), "wb") as out, open(os.path.join(tmp, "err"), "wb") as err:
            render_.proc = subprocess.Popen(
                [exe, "kustomize", "--load-restrictor", "LoadRestrictionsRootOnly", wrapper],
                cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            )
    except OSError as exc:
        render_.done = (None, f"cannot run kubectl: {exc.strerror or exc}", {})
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return render_


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ORIGIN = re.compile(r"^\s+config\.kubernetes\.io/origin: \|\n\s+path: (.+)$", re.M)


def origins(text: str, wrapper: str) -> Dict[int, Tuple[int, str]]:
    """{first line of a rendered document: (its last line, absolute path of the file it came
    from)}, from the origin annotations (their paths are relative to the wrapper kustomization)."""
    out: Dict[int, Tuple[int, str]] = {}
    starts = [1] + [text.count("\n", 0, m.start()) + 2 for m in re.finditer(r"(?m)^---$", text)]
    bounds = [(s, (starts[i + 1] - 1) if i + 1 < len(starts) else text.count("\n") + 1)
              for i, s in enumerate(starts)]
    for m in _ORIGIN.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        raw = m.group(1).strip().strip("'\"")
        if "://" in raw:
            continue
        source = os.path.normpath(os.path.join(wrapper, raw))
        for first, last in bounds:
            if first <= line <= last:
                out[first] = (last, source)
                break
    return out


_NAME = re.compile(r"^  name:[ \t]*['\"]?([^'\"#\s]+)")
_KIND = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z0-9]+)")


def locate(text: str, kind: Optional[str], name: Optional[str]):
    """The span of `metadata.name` of the document of this kind whose name the rendered name
    contains (kustomize adds prefixes and suffixes), in a source file; None when not found."""
    from rclint.model import Span

    if not kind or not name:
        return None
    doc_kind = None
    best = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("---"):
            doc_kind = None
            continue
        m = _KIND.match(line)
        if m:
            doc_kind = m.group(1)
            continue
        m = _NAME.match(line)
        if m and doc_kind == kind and m.group(1) in name:
            span = Span(lineno, m.start(1) + 1, lineno, m.end(1) + 1)
            if m.group(1) == name:
                return span
            if best is None:
                best = span
    return best


def source_of(origin_lines: Dict[int, Tuple[int, str]], line: int) -> Optional[str]:
    """The source file of the rendered document holding `line`, or None."""
    for first, (last, source) in origin_lines.items():
        if first <= line <= last:
            return source
    return None
