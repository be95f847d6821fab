"""Hostile trees: rclint run on each, as a subprocess under strace, in every output format and
as `rclint nodes`, must open nothing outside the tree, write nothing but the named outputs,
exit 0/1/2 without a traceback, and stay within fixed time and memory bounds.

A tree is one `Tree` entry in `TREES`: text files, a `build` function for what text cannot
express (symlinks, FIFOs, sparse files, odd names), extra arguments and, where a tree has
one, the behaviour to assert on the JSON report. Adding a hostile tree is adding an entry.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import resource
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pytest

STRACE = shutil.which("strace") or "/usr/bin/strace"
TIMEOUT = 180            # seconds per run, strace included (generous: the machine is shared)
MEMORY = 2 * 1024 ** 3   # RLIMIT_AS of strace and rclint: a 3 GiB read could never fit
MAX_OUTPUT = 64 * 1024 ** 2  # RLIMIT_FSIZE: no output grows without bound

RC = """apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata
handler: kata
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  runtimeClassName: kata
  containers:
    - name: c
      image: nginx
"""
# a manifest outside the tree: if rclint ever read it, "leaked" would show up in a report
SECRET = RC.replace("name: kata", "name: leaked-secret").replace("handler: kata", "handler: leaked-secret")
CONTAINERD = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\n'
CRIO = '[crio.runtime]\ndefault_runtime = "crun"\n[crio.runtime.runtimes.kata]\nruntime_path = "/usr/bin/kata-runtime"\nruntime_type = "vm"\n'


@dataclass
class Tree:
    name: str
    files: Dict[str, str] = field(default_factory=dict)
    build: Optional[Callable[[Path, Path], None]] = None  # (tree, outside) -> None
    args: Sequence[str] = ()                               # extra `rclint check` arguments
    nodes: bool = True                                     # also run `rclint nodes`
    exit_codes: Tuple[int, ...] = (0, 1)                   # 2 only where the tree is a usage error
    expect: Optional[Callable[[dict, "Run"], None]] = None  # on the JSON report of `check`


def _link(tree: Path, name: str, target) -> None:
    p = tree / name
    p.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(str(target), p)


def _fifo(tree: Path, name: str) -> None:
    p = tree / name
    p.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(p)


def _socket(tree: Path, name: str) -> None:
    p = tree / name
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(p))
    finally:
        s.close()


def _rcl003(report: dict) -> Dict[str, List[dict]]:
    out: Dict[str, List[dict]] = {}
    for f in report["findings"]:
        if f["code"] == "RCL003":
            out.setdefault(f["path"], []).append(f)
    return out


def _once(report: dict, path: str, words: str, line: int = 1, column: int = 1) -> None:
    found = _rcl003(report).get(path, [])
    assert len(found) == 1, (path, found)
    assert (found[0]["line"], found[0]["column"]) == (line, column), found[0]
    assert words in found[0]["message"], found[0]["message"]


# ---------------------------------------------------------------------------------- the trees


def _manifest_links(tree: Path, outside: Path) -> None:
    _link(tree, "in-tree.yaml", "pod.yaml")                  # inside: read
    _link(tree, "secret.yaml", outside / "secret.yaml")       # out of the tree: refused
    _link(tree, "passwd.yaml", "/etc/passwd")
    _link(tree, "dangling-in.yaml", "nothing-here.yaml")      # dangling inside: names no file
    _link(tree, "dangling-out.yaml", outside / "missing.yaml")
    _link(tree, "etc", "/etc")                                # a directory out of the tree: not walked
    _link(tree, "up", "..")                                   # ... nor a way up
    _link(tree, "loop-a.yaml", "loop-b.yaml")
    _link(tree, "loop-b.yaml", "loop-a.yaml")


def _expect_manifest_links(report: dict, run: "Run") -> None:
    _once(report, "secret.yaml", "symbolic link out of the scanned tree")
    _once(report, "passwd.yaml", "symbolic link out of the scanned tree")
    _once(report, "dangling-out.yaml", "symbolic link out of the scanned tree")
    assert "dangling-in.yaml" not in _rcl003(report)
    assert not any(f["path"].startswith(("etc/", "up/")) for f in report["findings"])
    pods = [f for f in report["findings"] if f["path"] == "in-tree.yaml"]
    assert pods == [] or all(f["code"] != "RCL003" for f in pods)


def _special_files(tree: Path, outside: Path) -> None:
    _fifo(tree, "fifo.yaml")
    _link(tree, "zero.yaml", "/dev/zero")
    _link(tree, "stdin.yaml", "/dev/stdin")
    _link(tree, "urandom.json", "/dev/urandom")
    _socket(tree, "sock.yaml")
    with open(tree / "sparse.json", "wb") as fh:  # 3 GiB, no blocks: rejected by size, never read
        fh.truncate(3 * 1024 ** 3)


def _expect_special_files(report: dict, run: "Run") -> None:
    _once(report, "fifo.yaml", "FIFO")
    _once(report, "sock.yaml", "socket")
    for name in ("zero.yaml", "stdin.yaml", "urandom.json"):
        _once(report, name, "out of the scanned tree")
    _once(report, "sparse.json", "3,221,225,472 bytes, over the")


IMPORTS = """version = 2
imports = [
  "../../../../../../../../etc/passwd",
  "../../../../../../../../etc/*.conf",
  "/etc/containerd/conf.d/*.toml",
  "a/config.toml",
  "b/config.toml",
  "a/b/a/b/a/b/config.toml",
  "secret.toml",
  "fifo.toml",
  "zero.toml",
  "stdin.toml",
  "linked-dir/*.toml",
]
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
runtime_type = "io.containerd.kata.v2"
"""


def _containerd_imports(tree: Path, outside: Path) -> None:
    conf = tree / "node/etc/containerd"
    _link(tree, "node/etc/containerd/a", ".")   # two links to `.`: fan-out
    _link(tree, "node/etc/containerd/b", ".")
    _link(tree, "node/etc/containerd/secret.toml", outside / "secret.toml")
    _fifo(tree, "node/etc/containerd/fifo.toml")
    _link(tree, "node/etc/containerd/zero.toml", "/dev/zero")
    _link(tree, "node/etc/containerd/stdin.toml", "/dev/stdin")
    _link(tree, "node/etc/containerd/linked-dir", "/etc")
    _link(tree, "node/etc/containerd/conf.d", outside)
    # a deep fan-out: every level imports both links again (2^depth paths, one file)
    for depth in range(1, 25):
        (conf / f"fan{depth}.toml").write_text(f'version = 2\nimports = ["a/fan{depth + 1}.toml", "b/fan{depth + 1}.toml"]\n')
    (conf / "fan25.toml").write_text("version = 2\n")
    # 100,000 imports of the same two files: linear
    many = ", ".join('"a/many.toml"' if i % 2 else '"b/many.toml"' for i in range(100_000))
    (conf / "many-imports.toml").write_text(f"version = 2\nimports = [{many}]\n")
    (conf / "many.toml").write_text("version = 2\n")


def _expect_containerd_imports(report: dict, run: "Run") -> None:
    found = _rcl003(report).get("node/etc/containerd/config.toml", [])
    by_line = {f["line"]: f for f in found}
    for line in (3, 4, 5, 9, 10, 11, 12, 13):
        assert line in by_line, (line, found)
        assert by_line[line]["column"] == 3
    assert "resolves outside the node root" in by_line[3]["message"] and "../../../" in by_line[3]["message"]
    assert "FIFO" in by_line[10]["message"]
    assert len(found) == 8, found


def _crio_dropins(tree: Path, outside: Path) -> None:
    _link(tree, "n1/etc/crio/crio.conf.d", "/etc")          # the whole drop-in directory out of the tree
    d = "n2/etc/crio/crio.conf.d"
    (tree / d).mkdir(parents=True)
    (tree / d / "10-kata.conf").write_text(CRIO)
    for name in ("x", "y", "z"):                             # three links to `.`: 3^depth paths, one directory
        _link(tree, f"{d}/{name}", ".")
    _fifo(tree, f"{d}/20-fifo.conf")
    _link(tree, f"{d}/30-zero.conf", "/dev/zero")
    _link(tree, f"{d}/40-stdin.conf", "/dev/stdin")
    _link(tree, f"{d}/50-secret.conf", outside / "secret.conf")
    _link(tree, f"{d}/60-etc", "/etc")


def _expect_crio_dropins(report: dict, run: "Run") -> None:
    _once(report, "n1/etc/crio/crio.conf.d", "out of the scanned tree")
    d = "n2/etc/crio/crio.conf.d"
    _once(report, f"{d}/20-fifo.conf", "FIFO")
    for name in ("30-zero.conf", "40-stdin.conf", "50-secret.conf", "60-etc"):
        _once(report, f"{d}/{name}", "out of the scanned tree")


def _output_links(tree: Path, outside: Path) -> None:
    _link(tree, "rclint.sarif", outside / "created-by-rclint")       # dangling: would create it
    _link(tree, ".rclint-baseline.json", outside / "victim.txt")     # existing: would overwrite it


def _baseline(kind: str) -> Callable[[Path, Path], None]:
    def build(tree: Path, outside: Path) -> None:
        if kind == "fifo":
            _fifo(tree, "baseline.json")
        elif kind in ("/dev/zero", "/dev/stdin"):
            _link(tree, "baseline.json", kind)
        elif kind == "outside":
            _link(tree, "baseline.json", outside / "secret.yaml")
        elif kind == "nested":
            (tree / "baseline.json").write_text("[" * 100_000 + "]" * 100_000)
        elif kind == "malformed":
            (tree / "baseline.json").write_text(json.dumps(
                {"version": 1, "findings": [{"code": ["x"], "fingerprint": {"a": 1}}, 7, None]}))
    return build


def _hostile_names(tree: Path, outside: Path) -> None:
    # a file name that is not UTF-8, one with a newline and a workflow command, one with ESC
    for raw in (b"caf\xe9.yaml", b"new\nline::error::x.yaml", b"esc\x1b[2J.yaml"):
        with open(os.path.join(os.fsencode(tree), raw), "wb") as fh:
            fh.write(POD.encode())


def _hostile_content(tree: Path) -> None:
    from test_hostile_content import hostile_tree

    hostile_tree(tree)


def _expect_no_raw_controls(report: dict, run: "Run") -> None:
    for text in (run.stdout, run.stderr):
        assert "\n::error file=x" not in text and "\x1b" not in text and "\u2028" not in text
        assert not any(line.startswith("::stop-commands") for line in text.splitlines())


TREES: List[Tree] = [
    Tree("manifest-symlinks", {"pod.yaml": POD, "rc.yaml": RC}, _manifest_links, expect=_expect_manifest_links),
    Tree("special-files", {"rc.yaml": RC}, _special_files, expect=_expect_special_files),
    Tree("containerd-imports", {"rc.yaml": RC, "node/etc/containerd/config.toml": IMPORTS},
         _containerd_imports, expect=_expect_containerd_imports),
    Tree("crio-dropins", {"rc.yaml": RC, "n1/etc/crio/crio.conf": CRIO, "n2/etc/crio/crio.conf": CRIO},
         _crio_dropins, expect=_expect_crio_dropins),
    Tree("config-names-etc", {"rc.yaml": RC, ".rclint.toml": 'node-config = ["/etc"]\n'}, exit_codes=(2,)),
    Tree("config-names-parent", {"rc.yaml": RC, "pyproject.toml":
                                 '[tool.rclint]\nnode-config = ["../../../../../../../../etc/containerd"]\n'},
         exit_codes=(2,)),
    Tree("config-names-link-out", {"rc.yaml": RC, ".rclint.toml": 'node-config = ["nodes"]\n'},
         lambda t, o: _link(t, "nodes", "/etc"), exit_codes=(2,)),
    Tree("config-pool-runtime-config-out", {"rc.yaml": RC, ".rclint.toml":
                                            '[[node-pool]]\nname = "p"\nruntime-config = ["/etc/crio/crio.conf"]\n'},
         exit_codes=(2,)),
    Tree("config-file-link-out", {"rc.yaml": RC}, lambda t, o: _link(t, ".rclint.toml", o / "secret.toml"),
         exit_codes=(2,)),
    Tree("symlinked-sarif-output", {"rc.yaml": RC}, _output_links, args=("--format", "sarif", "-o", "rclint.sarif"),
         nodes=False, exit_codes=(2,)),
    Tree("symlinked-baseline-output", {"rc.yaml": RC}, _output_links,
         args=("--write-baseline", ".rclint-baseline.json"), nodes=False, exit_codes=(2,)),
    # hostile file names (not UTF-8, a newline and a workflow command, ESC): no crash, no raw control characters
    Tree("hostile-names", {"rc.yaml": RC}, _hostile_names, expect=_expect_no_raw_controls),
    # hostile content: workflow commands, ESC and bidi characters in names, labels and handlers of
    # manifests, containerd and CRI-O configs; integers of thousands of digits (see test_hostile_content)
    Tree("hostile-content", {}, lambda t, o: _hostile_content(t), expect=_expect_no_raw_controls),
] + [
    Tree(f"baseline-{name}", {"rc.yaml": RC}, _baseline(kind), args=("--baseline", "baseline.json"), nodes=False,
         exit_codes=(2,))
    for name, kind in (("fifo", "fifo"), ("dev-zero", "/dev/zero"), ("dev-stdin", "/dev/stdin"),
                       ("link-out", "outside"), ("deeply-nested", "nested"), ("malformed-entries", "malformed"))
]


# ---------------------------------------------------------------------------------- running


@dataclass
class Call:
    syscall: str
    paths: List[str]
    flags: str
    ok: bool


@dataclass
class Run:
    argv: List[str]
    returncode: int
    stdout: str
    stderr: str
    calls: List[Call]


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_CALL = re.compile(r"^\d+\s+(\w+)\((.*)$")


def _unescape(s: str) -> str:
    raw = codecs.escape_decode(s.encode("latin-1"))[0]
    return os.fsdecode(raw)


def _parse_strace(log: str) -> List[Call]:
    """Every traced call with its path arguments. A call strace split in two (`<unfinished ...>`,
    then `<... resumed>`) keeps its first half, which holds the paths and flags, and counts as
    succeeded: the stricter reading."""
    calls: List[Call] = []
    for line in log.splitlines():
        m = _CALL.match(line)
        if not m:
            continue
        name, rest = m.groups()
        ok = rest.endswith("<unfinished ...>") or not re.search(r"= -1 ", rest)
        calls.append(Call(name, [_unescape(q) for q in _QUOTED.findall(rest)], rest, ok))
    return calls


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT, MAX_OUTPUT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_traced(argv: List[str], cwd: Path, log: Path) -> Run:
    if not os.path.exists(STRACE):
        pytest.skip("strace not found (install it with: apt-get install -y strace; .ci/run does)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RCLINT_", "CI"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no .pyc written next to rclint's sources
    env["NO_COLOR"] = "1"
    cmd = [STRACE, "-f", "-qq", "-x", "-s", "4096", "-o", str(log),
           "-e", "trace=open,openat,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,symlink,"
                 "symlinkat,link,linkat,truncate,chmod,fchmodat",
           sys.executable, "-m", "rclint"] + argv
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=TIMEOUT, preexec_fn=_limits)
    return Run(argv, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
               _parse_strace(log.read_text(encoding="latin-1")))


def _package_dirs() -> List[str]:
    """Where rclint's code, rule files and schemas are (an editable install maps them into the
    source checkout)."""
    import rclint
    from rclint.catalog import rules_dir, schemas_dir

    return [os.path.realpath(str(p)) for p in (os.path.dirname(rclint.__file__), rules_dir(), schemas_dir())]


# Opened by the dynamic loader, the C library and the interpreter itself, never by rclint's
# reading of its input: the loader's cache, time zone and locale data, shared libraries.
SYSTEM_FILES = {"/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/localtime", "/etc/locale.alias", "/dev/null",
                "/etc/ssl/openssl.cnf", "/usr/lib/ssl/openssl.cnf",
                "/dev/urandom", "/usr/share/locale/locale.alias", "/usr/lib/locale/locale-archive"}
SYSTEM_PATTERNS = [
    re.compile(r"^/(usr/)?lib(64|32)?/([\w.+-]+/)*[\w.+-]+\.so(\.\d+)*$"),   # shared libraries
    re.compile(r"^/(usr/)?lib(64|32)?/[\w.+-]+-linux-gnu(/(tls|haswell|x86_64|avx512_1|glibc-hwcaps(/[\w-]+)?))*$"),
    re.compile(r"^/usr/lib/locale/[\w.@-]+/LC_\w+$"),
    re.compile(r"^/usr/lib/x86_64-linux-gnu/gconv/gconv-modules(\.cache|\.d(/.*)?)?$"),
    re.compile(r"^/usr/share/zoneinfo/[\w/+-]+$"),
    re.compile(r"^/proc/(self|\d+)/"),
    re.compile(r"^/sys/(fs/cgroup|devices/system/cpu)/"),
]
WRITES = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
MODIFY = {"creat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "symlink",
          "symlinkat", "link", "linkat", "truncate", "chmod", "fchmodat"}


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def assert_contained(run: Run, tree: Path, outputs: Sequence[Path]) -> None:
    """Every path opened is the tree's, the Python installation's, rclint's own (its result cache too), an output, or a
    system file in SYSTEM_FILES/SYSTEM_PATTERNS; every write is to a named output (or its
    temporary file in the same directory)."""
    allowed_roots = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                          sys.base_exec_prefix)} | set(_package_dirs()))
    tree_real = os.path.realpath(tree)
    outs = [os.path.abspath(tree / o) for o in outputs]
    temp_of = [re.compile(re.escape(os.path.dirname(o)) + "/" + re.escape("." + os.path.basename(o)) + r"\.\d+\.\d+\.rclint-tmp$")
               for o in outs]

    from rclint.cache import default_dir

    cache = os.path.realpath(default_dir())  # the result cache: rclint's own folder in the user cache directory

    def allowed(path: str) -> bool:
        if path in SYSTEM_FILES or any(p.match(path) for p in SYSTEM_PATTERNS) or _inside(path, cache):
            return True
        if any(_inside(path, r) for r in allowed_roots):
            return True
        return _inside(path, tree_real) or path in outs or any(t.match(path) for t in temp_of)

    bad = []
    for call in run.calls:
        if call.syscall in ("open", "openat", "creat") and not call.paths:
            continue
        dirfd_relative = call.syscall.endswith("at") and not call.flags.startswith(("AT_FDCWD", '"'))
        for p in call.paths[:2]:
            if dirfd_relative and not p.startswith("/"):
                bad.append(("relative to a directory descriptor", call.syscall, p))
                continue
            lexical = os.path.normpath(os.path.join(tree_real, p))
            real = os.path.realpath(lexical)
            for candidate in {lexical, real} if call.ok else {lexical}:
                if not allowed(candidate):
                    bad.append(("opened outside the tree", call.syscall, candidate))
            writes = call.syscall in MODIFY or bool(WRITES.search(call.flags))
            if writes and not (lexical in outs or any(t.match(lexical) for t in temp_of) or _inside(lexical, cache)):
                bad.append(("write outside the named outputs", call.syscall, lexical))
    assert not bad, f"{run.argv}:\n" + "\n".join(map(str, bad[:20]))


def assert_honest(run: Run, tree: Tree) -> None:
    assert run.returncode in (0, 1, 2), (run.returncode, run.stderr)
    assert run.returncode in tree.exit_codes, (run.argv, run.returncode, run.stderr[-2000:])
    for text in (run.stdout, run.stderr):
        assert "Traceback" not in text, text[-3000:]
        assert "internal error" not in text, text[-3000:]
        assert "leaked-secret" not in text
        assert "root:x:0:0" not in text
    if run.returncode == 2:
        lines = [ln for ln in run.stderr.splitlines() if ln.startswith("rclint: error:")]
        assert len(lines) == 1, run.stderr


def _snapshot(root: Path) -> Dict[str, str]:
    """Every entry below root (symlinks not followed): type, link target, content digest."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[p] = "link:" + os.readlink(p)
            elif stat.S_ISREG(st.st_mode) and st.st_blocks * 512 < st.st_size // 2:  # sparse: no data to hash
                out[p] = f"sparse:{st.st_size}:{st.st_blocks}:{st.st_mtime_ns}"
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    h = hashlib.sha256()
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                out[p] = "file:" + h.hexdigest() + f":{st.st_size}"
            else:
                out[p] = f"mode:{stat.S_IFMT(st.st_mode)}"
    return out


def make_tree(tmp_path: Path, tree: Tree) -> Tuple[Path, Path]:
    root, outside = tmp_path / "tree", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    for name in ("secret.yaml", "secret.toml", "secret.conf"):
        (outside / name).write_text(SECRET if name.endswith(".yaml") else 'name = "leaked-secret"\n')
    (outside / "victim.txt").write_text("untouched\n")
    for name, text in tree.files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if tree.build:
        tree.build(root, outside)
    return root, outside


FORMATS = ("text", "json", "sarif", "junit", "gitlab")  # plus github on stdout


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_hostile_tree(tmp_path, tree):
    root, outside = make_tree(tmp_path, tree)
    before_tree, before_outside = _snapshot(root), _snapshot(outside)
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    if tree.args:  # the tree's own arguments are the point: run them as given
        argv = ["check", *tree.args, "."]
        outputs = [Path(a) for a, prev in zip(tree.args[1:], tree.args) if prev in ("-o", "--write-baseline")]
    else:
        outputs = [out_dir / f"report.{fmt}" for fmt in FORMATS]
        argv = ["check"]
        for fmt, out in zip(FORMATS, outputs):
            argv += ["--format", fmt, "-o", str(out)]
        argv += ["--format", "github", "."]
    run = run_traced(argv, root, tmp_path / "check.strace")
    assert_honest(run, tree)
    assert_contained(run, root, outputs)
    if run.returncode != 2 and not tree.args:
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
        for fmt, out in zip(FORMATS, outputs):
            assert out.stat().st_size > 0, fmt
        json.loads((out_dir / "report.sarif").read_text(encoding="utf-8"))
        json.loads((out_dir / "report.gitlab").read_text(encoding="utf-8"))
        if tree.expect:
            tree.expect(report, run)
    if tree.nodes:
        nodes = run_traced(["nodes", "."], root, tmp_path / "nodes.strace")
        assert_honest(nodes, tree)
        assert_contained(nodes, root, [])
    # nothing in the tree or outside it changed (outputs live in their own directory)
    assert _snapshot(root) == before_tree
    assert _snapshot(outside) == before_outside


def test_explicit_pipe_on_the_command_line_is_read(tmp_path):
    """`rclint check rc.yaml <(helm template ...)`: a pipe the user names is read, bounded."""
    (tmp_path / "rc.yaml").write_text(RC)
    script = f'"{sys.executable}" -m rclint check --format json rc.yaml <(printf "%s" "$POD")'
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT,
                          env={**os.environ, "POD": POD.replace("runtimeClassName: kata", "runtimeClassName: katta")})
    assert proc.returncode == 1, proc.stderr
    codes = [(f["code"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]
             if f["path"] != "rc.yaml"]
    assert ("RCL101", 6, 21) in codes, proc.stdout


def test_stdin_is_bounded_by_max_file_size(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--format", "json", "--max-file-size", "1000",
                           "-"], input=b"#" * 5_000_000, capture_output=True, timeout=TIMEOUT, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [f] = json.loads(proc.stdout)["findings"]
    assert (f["code"], f["path"], f["line"], f["column"]) == ("RCL003", "<stdin>", 1, 1)
    assert "over the 1,000-byte limit" in f["message"]


def test_closed_stdin_is_a_finding(tmp_path):
    proc = subprocess.run(["bash", "-c", f'"{sys.executable}" -m rclint check --format json - <&-'],
                          capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [f] = json.loads(proc.stdout)["findings"]
    assert f["code"] == "RCL003" and "closed" in f["message"]


def test_outputs_are_replaced_atomically_and_keep_their_mode(tmp_path):
    (tmp_path / "rc.yaml").write_text(RC)
    target = tmp_path / "out.json"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--format", "json", "-o", "out.json",
                           "--write-baseline", "base.json", "rc.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "base.json").read_text())["version"] == 1
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--format", "json", "-o", "out.json", "rc.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert json.loads(target.read_text())["version"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "out.json", "rc.yaml"]  # no temp file left


@pytest.mark.parametrize("target", ["dangling", "existing"])
def test_symlinked_output_is_refused_with_one_line(tmp_path, target):
    (tmp_path / "rc.yaml").write_text(RC)
    victim = tmp_path / "victim"
    if target == "existing":
        victim.write_text("keep\n")
    os.symlink(victim, tmp_path / "rclint.sarif")
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--format", "sarif", "-o", "rclint.sarif",
                           "rc.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 2
    assert proc.stderr == ("rclint: error: cannot write rclint.sarif: it is a symbolic link; rclint never writes "
                           "through one (remove it or choose another path)\n")
    assert (victim.read_text() == "keep\n") if target == "existing" else not victim.exists()
    assert os.path.islink(tmp_path / "rclint.sarif")


def test_the_harness_catches_reads_and_writes_outside(tmp_path):
    """The checks above can fail: a read of /etc/passwd (also through a link in the tree), a
    write beside the outputs and a file opened relative to a directory descriptor are caught."""
    os.symlink("/etc/passwd", tmp_path / "link.yaml")
    out = tmp_path / "r.json"
    log = "\n".join([
        '7 openat(AT_FDCWD, "rc.yaml", O_RDONLY|O_CLOEXEC) = 3',
        f'7 openat(AT_FDCWD, "{out}", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 4',
        '7 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3',
        '7 openat(AT_FDCWD, "link.yaml", O_RDONLY|O_NOFOLLOW <unfinished ...>',
        f'8 openat(AT_FDCWD, "{tmp_path}/other.json", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5',
        '7 openat(5, "x.yaml", O_RDONLY) = 6',
        '7 openat(AT_FDCWD, "/etc/nope\\x0a", O_RDONLY) = -1 ENOENT (No such file or directory)',
    ])
    run = Run(["check"], 0, "", "", _parse_strace(log))
    with pytest.raises(AssertionError) as exc:
        assert_contained(run, tmp_path, [out])
    text = str(exc.value).split("\nassert ")[0]  # the listed problems, without pytest's repetition
    assert "'/etc/passwd'" in text and "'/etc/nope\\n'" in text
    assert f"'{tmp_path}/other.json'" in text and "'x.yaml'" in text
    assert text.count("opened outside the tree") == 3  # /etc/passwd twice (once through link.yaml) and text.count("write outside the named outputs") == 1
    assert_contained(Run(["check"], 0, "", "", _parse_strace("\n".join(log.splitlines()[:2]))), tmp_path, [out])


def test_fixes_never_read_through_a_symlink_that_appears_during_the_run(tmp_path, monkeypatch):
    """A fix reads its file again as the code frames do, under the rule it was first read by: a
    file swapped for a symlink to something outside the tree gets no fix, never the outside
    text."""
    from click.testing import CliRunner

    from rclint import fixes
    from rclint.cli import main

    tree = tmp_path / "tree"
    tree.mkdir()
    chart = ("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: kata}\nhandler: kata\n"
             "overhead: {podFixed: {memory: 160Mi, cpu: 250m}}\n---\n"
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  runtimeClassName: kta\n")
    (tree / "chart.yaml").write_text(chart)
    outside = tmp_path / "outside.yaml"
    outside.write_text(chart)
    monkeypatch.chdir(tree)

    def run():
        r = CliRunner().invoke(main, ["check", ".", "--format", "json", "--no-cache", "--exit-zero"],
                               catch_exceptions=False)
        return [(f["code"], f["line"], f["fix"] is not None) for f in json.loads(r.stdout)["findings"]]

    assert ("RCL101", 11, True) in run()
    real = fixes.attach_fixes

    def swap_then_attach(*a, **k):
        (tree / "chart.yaml").unlink()
        (tree / "chart.yaml").symlink_to(outside)
        return real(*a, **k)

    monkeypatch.setattr(fixes, "attach_fixes", swap_then_attach)
    assert ("RCL101", 11, False) in run()
