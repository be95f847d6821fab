"""containerd config loading (versions 1-4, imports) and the RCL3xx checks on it.

What containerd does, as read in its source (see docs/node-runtime-configs.md for the long form):

* Files: the main config, then `imports` breadth-first in listed order, each file once
  (containerd `LoadConfig`). An import is `filepath.Clean`ed; a relative one is joined to the
  importing file's directory (containerd 1.x only does that for non-glob entries: it globs a
  relative pattern against its working directory); it is globbed only when it contains `*`.
  A non-glob import that does not exist stops containerd (`failed to load TOML: ...`).
* containerd 1.x (`services/server/config/config.go` `mergeConfig`) replaces each
  `plugins.<id>` table wholesale with the last file's; the CRI plugin then decodes its table
  with go-toml v1 into its defaults, and go-toml v1 builds a fresh map for `runtimes` (every
  runtime from zero): a config that defines any runtime loses the built-in `runc`, and a
  `runtimes.runc` table without `runtime_type` gets an empty one. Checked against
  `containerd config dump` of containerd 1.6.20 (see tests/test_containerd_oracle.py).
* containerd 2.x (`cmd/containerd/server/config/config.go`) deep-merges plugin tables across
  files, and decodes the CRI runtime plugin table with go-toml v2 on top of
  `DefaultRuntimeConfig()`; go-toml v2 keeps an existing map and decodes into a copy of an
  existing entry, so the built-in `runc` survives and a partial `runtimes.runc` table keeps
  `runtime_type = "io.containerd.runc.v2"`.

Which applies: the containerd release lines the pool runs (declared, or every line the config's
`version` allows, see rclint.runtimes.versions); `load_containerd` builds one view per loader
model and combines them.
"""

from __future__ import annotations

import copy
import os
from collections import deque
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

from rclint.fspolicy import Refused, file_key
from rclint.model import Finding, Severity, Span
from rclint.runtimes.base import (
    CgroupSetting,
    Handler,
    Location,
    RuntimeConfig,
    did_you_mean,
    finding,
    suggest,
    go_toml_v1_matches,
    is_absolute_path,
    is_dns_label,
    known_keys,
    toml_literal,
    toml_type,
    type_errors,
    type_finding,
    read_text_file,
    toml_key_path,
    unknown_keys,
)
from rclint.runtimes.versions import VERSIONS_TOKEN
from rclint.tomlsource import TomlDoc, TomlSyntaxError, load_toml

V1_CRI = ("plugins", "cri")
V2_CRI = ("plugins", "io.containerd.grpc.v1.cri")
V3_RUNTIME = ("plugins", "io.containerd.cri.v1.runtime")

RUNC_V2 = "io.containerd.runc.v2"
RUNC_V1 = "io.containerd.runc.v1"
LINUX_V1 = "io.containerd.runtime.v1.linux"
RUNC_TYPES = (RUNC_V2, RUNC_V1)

RUNTIME_SCHEMA = "containerd-runtime.schema.json"
RUNC_OPTIONS_SCHEMA = "containerd-runc-options.schema.json"
CRI_PLUGIN_SCHEMA = "containerd-cri-plugin.schema.json"

# the built-in runc entry of containerd 2.x (internal/cri/config/config_unix.go DefaultRuntimeConfig)
_BUILTIN_RUNC_2X = {
    "runtime_type": RUNC_V2,
    "sandboxer": "podsandbox",
    "options": {
        "BinaryName": "",
        "CriuImagePath": "",
        "CriuWorkPath": "",
        "IoGid": 0,
        "IoUid": 0,
        "NoNewKeyring": False,
        "Root": "",
        "ShimCgroup": "",
    },
}
# ... and on Windows (internal/cri/config/config_windows.go), where the default is runhcs-wcow-process
_BUILTIN_WINDOWS_2X = {
    "runhcs-wcow-process": {"runtime_type": "io.containerd.runhcs.v1"},
    "runhcs-wcow-hypervisor": {"runtime_type": "io.containerd.runhcs.v1", "options": {"SandboxIsolation": 1}},
}
# containerd 1.6/1.7 (pkg/cri/config/config_unix.go DefaultConfig)
_BUILTIN_RUNC_1X = {"runtime_type": RUNC_V2, "options": {}}

# pkg/shim BinaryName: the last two dot-separated parts name containerd-shim-<a>-<b>; fewer than
# two parts (or an empty part) name no shim. `io.containerd.<name>.<version>` is the convention,
# but e.g. firecracker-containerd's `aws.firecracker` is valid too.
_SHIM_NAME = re.compile(r"^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)+$")
_WASM_SHIMS = ("wasm", "wasmtime", "wasmedge", "wasmer", "wamr", "spin", "slight", "wws", "lunatic")


def _identity(p: str) -> str:
    return p


def _clip(text: str, width: int = 40) -> str:
    """An import string short enough for a one-line message."""
    return text if len(text) <= width else text[:width - 1] + "…"


# --------------------------------------------------------------------------- file model


@dataclass
class _File:
    """One file of a containerd config: the main file or an import."""

    index: int
    real: str
    display: str
    doc: Optional[TomlDoc]
    version: Optional[int] = None
    # how this file got loaded: (importing file index, import entry index, entry text)
    origin: Optional[Tuple[int, int, str]] = None

    def plugins(self) -> Dict[str, Any]:
        if self.doc is None:
            return {}
        value = self.doc.value.get("plugins")
        return value if isinstance(value, dict) else {}

    def location(self, path: Tuple[Any, ...]) -> Location:
        assert self.doc is not None
        span = self.doc.key_span(path) or self.doc.table_span(path) or self.doc.span(path)
        return Location(self.display, span, toml_key_path(path))

    def header(self, path: Tuple[Any, ...]) -> Location:
        """Prefer the [table] header for tables (RCL301/RCL306 point at it)."""
        assert self.doc is not None
        span = self.doc.table_span(path) or self.doc.key_span(path) or self.doc.span(path)
        return Location(self.display, span, toml_key_path(path))


Prov = Dict[Tuple[Any, ...], Tuple[int, Tuple[Any, ...]]]


def _walk_prov(value: Any, rel: Tuple[Any, ...], file_idx: int, src: Tuple[Any, ...], prov: Prov) -> None:
    prov[rel] = (file_idx, src)
    if isinstance(value, dict):
        for k, v in value.items():
            _walk_prov(v, rel + (k,), file_idx, src + (k,), prov)


def _deep_merge(dst: Dict[str, Any], src: Dict[str, Any], rel: Tuple[Any, ...], file_idx: int,
                src_path: Tuple[Any, ...], prov: Prov) -> None:
    """containerd 2.x plugin-table merge: tables key by key, scalars and arrays replaced."""
    prov[rel] = (file_idx, src_path)
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _deep_merge(dst[k], v, rel + (k,), file_idx, src_path + (k,), prov)
        else:
            for stale in [p for p in prov if p[: len(rel) + 1] == rel + (k,)]:
                del prov[stale]
            dst[k] = copy.deepcopy(v)
            _walk_prov(v, rel + (k,), file_idx, src_path + (k,), prov)


def _merge_with_prov(dst: Dict[str, Any], dst_prov: Prov, src: Dict[str, Any], src_prov: Prov,
                     rel: Tuple[Any, ...] = ()) -> None:
    """`_deep_merge` for tables whose provenance is already known (mixed files and bases)."""
    if rel in src_prov:
        dst_prov[rel] = src_prov[rel]
    for k, v in src.items():
        here = rel + (k,)
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge_with_prov(dst[k], dst_prov, v, src_prov, here)
            continue
        for stale in [p for p in dst_prov if p[: len(here)] == here]:
            del dst_prov[stale]
        dst[k] = copy.deepcopy(v)
        for p, entry in src_prov.items():
            if p[: len(here)] == here:
                dst_prov[p] = entry


# plugins/cri/runtime/plugin.go migrateConfig: keys that move to other plugins
_MIGRATE_SKIP = frozenset({
    "sandbox_image", "registry", "image_decryption", "max_concurrent_downloads", "image_pull_progress_timeout",
    "image_pull_with_sync_fs", "stats_collect_period", "disable_tcp_service", "stream_server_address",
    "stream_server_port", "stream_idle_timeout", "enable_tls_streaming", "x509_key_pair_streaming",
})
_MIGRATE_SKIP_CONTAINERD = frozenset({"snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers"})


def _migrate(dst: Dict[str, Any], dst_prov: Prov, src: Dict[str, Any], src_prov: Prov) -> List[Tuple[int, Tuple[Any, ...]]]:
    """The CRI v2 -> v3 migration (containerd 2.x plugins/cri/runtime/plugin.go migrateConfig):
    io.containerd.grpc.v1.cri keys are copied into io.containerd.cri.v1.runtime unless already
    there (the whole `containerd.runtimes` map at once), and `sandbox_mode` becomes `sandboxer`.
    Returns the provenance of the v2 runtime tables left behind (a v3 `runtimes` map existed)."""
    dropped: List[Tuple[int, Tuple[Any, ...]]] = []

    def take(src_rel: Tuple[Any, ...], value: Any, dst_rel: Tuple[Any, ...]) -> None:
        for p, entry in src_prov.items():
            if p[: len(src_rel)] == src_rel:
                dst_prov[dst_rel + p[len(src_rel):]] = entry
        _set(dst, dst_rel, copy.deepcopy(value))

    for k, v in src.items():
        if k in _MIGRATE_SKIP or k in ("cni", "containerd"):
            continue
        if k not in dst:
            take((k,), v, (k,))
    cni = src.get("cni")
    if isinstance(cni, dict):
        target = dst.get("cni") if isinstance(dst.get("cni"), dict) else {}
        dst["cni"] = target
        for ck, cv in cni.items():
            if ck == "bin_dir":
                if not target.get("bin_dirs") and isinstance(cv, str):
                    take(("cni", ck), [cv], ("cni", "bin_dirs"))
            elif ck not in target:
                take(("cni", ck), cv, ("cni", ck))
    ctd = src.get("containerd")
    if not isinstance(ctd, dict):
        return dropped
    target = dst.get("containerd") if isinstance(dst.get("containerd"), dict) else {}
    if "containerd" not in dst_prov and ("containerd",) in src_prov and not target:
        dst_prov[("containerd",)] = src_prov[("containerd",)]
    dst["containerd"] = target
    for ck, cv in ctd.items():
        if ck not in _MIGRATE_SKIP_CONTAINERD and ck not in target:
            take(("containerd", ck), cv, ("containerd", ck))
        elif ck == "runtimes" and isinstance(cv, dict):
            dropped.extend(src_prov[("containerd", "runtimes", n)] for n in cv
                           if ("containerd", "runtimes", n) in src_prov)
    runtimes = target.get("runtimes")
    if isinstance(runtimes, dict):
        for name, table in runtimes.items():
            if isinstance(table, dict) and "sandbox_mode" in table and "sandboxer" not in table:
                table["sandboxer"] = table.pop("sandbox_mode")
                old = ("containerd", "runtimes", name, "sandbox_mode")
                if old in dst_prov:
                    dst_prov[old[:-1] + ("sandboxer",)] = dst_prov.pop(old)
    return dropped


def _set(table: Dict[str, Any], rel: Tuple[Any, ...], value: Any) -> None:
    for k in rel[:-1]:
        nxt = table.get(k)
        if not isinstance(nxt, dict):
            nxt = {}
            table[k] = nxt
        table = nxt
    table[rel[-1]] = value


def _flatten(value: Any, prefix: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
    """Leaf paths of a table (empty tables count as leaves)."""
    if isinstance(value, dict) and value:
        out: List[Tuple[Any, ...]] = []
        for k, v in value.items():
            out.extend(_flatten(v, prefix + (k,)))
        return out
    return [prefix]


# --------------------------------------------------------------------------- helpers


def detect_node_root(path: str, tail: Optional[Sequence[str]] = None) -> Optional[str]:
    """The part of `path` standing for the node's `/`, from the main config's conventional
    location (`<root>/etc/containerd/config.toml`, Talos `<root>/etc/cri/containerd.toml`, k0s
    `<root>/etc/k0s/containerd.toml`, ...: `rclint.classify.NODE_LAYOUTS`), or from `tail`."""
    from rclint.classify import node_root

    return node_root(path, tail)


def _go_glob_regex(component: str) -> "re.Pattern[str]":
    """Go's filepath.Match for one path component: * ? [class] (^ negates), backslash escapes."""
    out = []
    i = 0
    while i < len(component):
        c = component[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = component.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = component[i + 1 : j]
                if body.startswith("^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "\\" and i + 1 < len(component):
            out.append(re.escape(component[i + 1]))
            i += 1
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def go_glob(pattern: str, listdir: Callable[[str], List[str]] = os.listdir) -> List[str]:
    """filepath.Glob: hidden files match `*` too; results in Go's order (sorted per directory).
    `listdir` lists a directory (the filesystem policy passes one that stays in the node root)."""
    pattern = pattern.replace("\\", "/") if os.sep == "\\" else pattern
    absolute = pattern.startswith("/")
    comps = [c for c in pattern.split("/") if c != ""]
    bases = ["/" if absolute else ""]
    for n, comp in enumerate(comps):
        last = n == len(comps) - 1
        nxt: List[str] = []
        magic = any(ch in comp for ch in "*?[")
        for base in bases:
            if not magic:
                cand = os.path.join(base, comp) if base else comp
                if last:
                    if os.path.lexists(cand):
                        nxt.append(cand)
                elif os.path.isdir(cand):
                    nxt.append(cand)
                continue
            directory = base or "."
            try:
                names = sorted(listdir(directory))
            except OSError:
                continue
            rx = _go_glob_regex(comp)
            for name in names:
                if rx.match(name):
                    cand = os.path.join(base, name) if base else name
                    if last or os.path.isdir(cand):
                        nxt.append(cand)
        bases = nxt
    return bases


def _int_version(value: Any) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def runtime_kind(runtime_type: Optional[str], runtime_path: Optional[str] = None) -> str:
    """Classify a containerd runtime: runc, vm (Kata, Firecracker), gvisor, windows, wasm, other."""
    t = (runtime_type or "").strip().lower()
    if not t and runtime_path:
        t = posixpath.basename(runtime_path.replace("\\", "/")).lower()
    if not t:
        return "unknown"
    if t == LINUX_V1:
        return "runc"
    name = t
    if "/" in t or "\\" in t:
        name = posixpath.basename(t.replace("\\", "/"))
        name = re.sub(r"^containerd-shim-", "", name)
        name = re.sub(r"-v\d+(\.exe)?$", "", name)
    else:
        parts = t.split(".")
        name = parts[-2] if len(parts) >= 2 else t
    if name == "runc" or name.startswith("runc-"):
        return "runc"
    if "kata" in t or "firecracker" in t or name in ("fc", "clh", "cloud-hypervisor", "qemu", "stratovirt", "dragonball"):
        return "vm"
    if "runsc" in t or "gvisor" in t:
        return "gvisor"
    if "runhcs" in t:
        return "windows"
    if any(name == w or name.startswith(w + "-") or name.startswith(w) for w in _WASM_SHIMS):
        return "wasm"
    return "other"


def shim_binary(runtime_type: Optional[str], runtime_path: Optional[str]) -> Optional[str]:
    """The shim binary containerd starts (pkg/shim BinaryName; runtime_path wins)."""
    if runtime_path:
        return runtime_path
    if not runtime_type:
        return None
    if is_absolute_path(runtime_type):
        return runtime_type
    parts = runtime_type.split(".")
    if len(parts) < 2 or not parts[-2] or "/" in runtime_type:
        return None
    return f"containerd-shim-{parts[-2]}-{parts[-1]}"


def _accepted_key(key: str, known: Sequence[str], semantics: str) -> Optional[str]:
    """The field a decoder maps `key` to: exact; 2.x (go-toml v2) any case; 1.x go-toml v1 variants."""
    if key in known:
        return key
    for k in known:
        if semantics == "2.x" and k.lower() == key.lower():
            return k
        if semantics == "1.x" and go_toml_v1_matches(key, k):
            return k
    return None


def _get_variant(table: Dict[str, Any], name: str, semantics: str) -> Tuple[Optional[str], Any]:
    """(key as written, value) for a struct field `name` as the decoder would find it."""
    if name in table:
        return name, table[name]
    for k, v in table.items():
        if _accepted_key(k, [name], semantics) == name:
            return k, v
    return None, None


def missing_import_finding(entry: str, resolved: str, loc: Location) -> Finding:
    """RCL311: a non-glob import that does not exist stops containerd at start-up."""
    shown = entry if len(entry) <= 60 else entry[:57] + "..."
    return Finding(
        "RCL311",
        f"imported file {shown!r} does not exist",
        loc.path,
        loc.span,
        field="imports",
        help="create the file, remove the entry, or import a glob (`conf.d/*.toml`), which may match nothing",
        notes=("containerd refuses to start when a listed (non-glob) import is missing: "
               "`failed to load TOML: ...: open ...: no such file or directory`",
               f"looked for it at {resolved}; this config's runtime handlers count as unknown"),
    )


# --------------------------------------------------------------------------- the loader


class _Loader:
    def __init__(self, path: str, read_text: Callable[[str], str], display_path: Callable[[str], str],
                 glob: Callable[[str], List[str]], group: str, lines: Tuple[str, ...], node_root: Optional[str]):
        self.path = path
        self.read_text = read_text
        self.display = display_path
        self.glob = glob
        self.parsed: Dict[str, Any] = {}  # text -> TomlDoc or TomlSyntaxError, shared by the views of one config
        self.group = group  # "1.x", "2.0" (2.0-2.2) or "2.3" (2.3+): see rclint.runtimes.versions
        self.lines = lines  # the release lines this view stands for
        self.node_root = node_root
        self.files: List[_File] = []
        self.findings: List[Finding] = []
        self.notes: List[str] = []
        self._noted: set = set()
        self.missing: List[Tuple[str, str, str, Span]] = []
        self.semantics = "1.x" if group == "1.x" else "2.x"
        self.failures: List[str] = []  # why the CRI plugin (or containerd) would not start
        self.prov: Prov = {}
        self.handler_rel: Dict[str, Tuple[Any, ...]] = {}  # handler -> its table's path in the CRI table
        # v2 runtime tables the CRI migration left behind: (file index, key path)
        self.dropped: List[Tuple[int, Tuple[Any, ...]]] = []
        self.replacements: List[Tuple[str, str]] = []  # (replaced file, replacing file), containerd 1.x
        self.unknown: Optional[str] = None  # why the handler set is unknown (an import not read)

    # ------------------------------------------------------------------ notes/findings

    def note(self, text: str) -> None:
        if text not in self._noted:
            self._noted.add(text)
            self.notes.append(text)

    def add(self, code: str, message: str, loc: Location, severity: Optional[Severity] = None,
            field_: Optional[str] = None, help: str = "", notes: tuple = ()) -> None:
        if code in ("RCL302", "RCL310"):
            self.failures.append(code)  # ValidatePluginConfig / ValidateRuntimeConfig: the CRI plugin fails
        self.findings.append(finding(code, message, loc.path, loc.span,
                                     loc.field if field_ is None else field_, severity, help=help, notes=notes))

    # ------------------------------------------------------------------ reading files

    def load_files(self) -> None:
        loaded = set()  # files already read, by the file they reach (two links to `.` are one file)
        pending: Deque[Tuple[str, Optional[Tuple[int, int, str]]]] = deque([(self.path, None)])
        while pending:
            real, origin = pending.popleft()
            key = file_key(real)
            if key in loaded:
                continue
            if origin is None:
                text = self.read_text(real)  # the main file: errors are the caller's (RCL003)
            else:
                try:
                    text = self.read_text(real)
                except Exception as exc:  # noqa: BLE001 - an unreadable import must not stop the run
                    importer = self.files[origin[0]]
                    loc = self._import_location(importer, origin[1])
                    if isinstance(exc, Refused):  # outside the node root, or not a regular file
                        loaded.add(key)
                        self.findings.append(exc.finding(f"import {_clip(origin[2])!r}", loc.path, loc.span, loc.field))
                        self.unknown = self.unknown or f"import {_clip(origin[2])!r} was not read"
                        continue
                    self.missing.append((origin[2], self.display(real), loc.path, loc.span))
                    self.unknown = self.unknown or f"import {origin[2]!r} could not be read"
                    if isinstance(exc, FileNotFoundError):
                        self.findings.append(missing_import_finding(origin[2], self.display(real), loc))
                    else:
                        self.note(f"{loc.path}:{loc.span.line}: import {origin[2]!r} ({self.display(real)}) "
                                  f"cannot be read ({exc}); its runtime handlers are unknown")
                    continue
            loaded.add(key)
            index = len(self.files)
            display = self.display(real)
            try:
                doc: Optional[TomlDoc] = self.parse(text)
            except TomlSyntaxError as exc:
                self.findings.append(finding("RCL002", f"invalid TOML: {exc.message}; containerd refuses to start "
                                             "with a config it cannot parse", display, exc.span))
                self.files.append(_File(index, real, display, None, origin=origin))
                continue
            version_value = doc.value.get("version")
            version = _int_version(version_value)
            if version_value is not None and version is None:
                self.note(f"{display}: `version = {version_value!r}` is not an integer; containerd refuses to start")
            f = _File(index, real, display, doc, version, origin)
            self.files.append(f)
            pending.extend(self.resolve_imports(f))

    def parse(self, text: str) -> TomlDoc:
        """load_toml, once per text for all the views of a config (the loaders never change a doc)."""
        got = self.parsed.get(text)
        if got is None:
            try:
                got = load_toml(text)
            except TomlSyntaxError as exc:
                got = exc
            self.parsed[text] = got
        if isinstance(got, TomlSyntaxError):
            raise got
        return got

    def _import_location(self, f: _File, entry: int) -> Location:
        assert f.doc is not None
        span = f.doc.value_span(("imports", entry)) or f.doc.key_span(("imports",)) or Span(1, 1)
        return Location(f.display, span, "imports")

    def resolve_imports(self, f: _File) -> List[Tuple[str, Tuple[int, int, str]]]:
        assert f.doc is not None
        imports = f.doc.value.get("imports")
        if imports is None:
            return []
        if not isinstance(imports, list):
            self.note(f"{f.display}: `imports` is not an array; containerd refuses to start")
            return []
        out: List[Tuple[str, Tuple[int, int, str]]] = []
        for n, entry in enumerate(imports):
            if not isinstance(entry, str):
                continue
            origin = (f.index, n, entry)
            cleaned = posixpath.normpath(entry) if entry else entry
            is_glob = "*" in cleaned
            if posixpath.isabs(cleaned):
                if self.node_root is None:
                    self.note(
                        f"{f.display}: absolute import {entry!r} was not followed: the config is not inside a "
                        "mirrored node tree (…/etc/containerd/config.toml), so rclint cannot tell which files it "
                        "names on the node"
                    )
                    if not is_glob:  # a file containerd requires, whose runtimes rclint cannot see
                        self.unknown = self.unknown or f"import {entry!r} was not followed (no node root)"
                    continue
                real = os.path.join(self.node_root, cleaned.lstrip("/"))
            else:
                real = os.path.join(os.path.dirname(f.real), cleaned)
                if is_glob and self.semantics == "1.x":
                    # services/server/config/config.go resolveImports: fixed in v1.6.29 and v1.7.16
                    self.note(
                        f"{f.display}: relative glob import {entry!r} is resolved against {f.display}'s directory, "
                        "as containerd 1.6.29+, 1.7.16+ and 2.x do; containerd 1.6.0-1.6.28 and 1.7.0-1.7.15 glob "
                        "a relative pattern against their working directory (/ under systemd) and may match nothing"
                    )
            if is_glob:
                try:
                    matches = self.glob(real)
                except Refused:
                    out.append((real, origin))  # reading it reports the refusal at the import
                    continue
                if not matches:
                    self.note(f"{f.display}: import {entry!r} matches no file")
                out.extend((m, origin) for m in matches)
            else:
                out.append((real, origin))
        return out

    # ------------------------------------------------------------------ versions

    @property
    def main(self) -> _File:
        return self.files[0]

    def merged_version(self) -> Tuple[int, Optional[_File]]:
        """The merged config's `version` and the file that set it (mergo override: the last
        non-zero one). 1.x starts from 0 (meaning 1); 2.0-2.2 from 3, and a version 0/1 file
        takes the version merged so far; 2.3+ migrates every file to 4 before merging."""
        if self.group == "2.3":
            top = max((f for f in self.files if f.version), key=lambda f: f.version or 0, default=None)
            if top is not None and (top.version or 0) > 4:
                return top.version or 0, top
            return 4, None
        version, setter = (0, None) if self.group == "1.x" else (3, None)
        for f in self.files:
            if f.version and (self.group == "1.x" or f.version > 1):
                version, setter = f.version, f
        return (version or 1), setter

    def version_checks(self, merged: int, setter: Optional[_File]) -> None:
        """RCL316: a `version` the containerd release refuses to start with."""
        ctd = VERSIONS_TOKEN
        if self.group == "1.x" and merged >= 3 and setter is not None:
            self.failures.append("unsupported config version")
            self.add16(setter, f"`version = {merged}` stops {ctd}: it reads config versions 1 and 2 only",
                       help_=f"Keep `version = 2` (and [{toml_key_path(V2_CRI)}] tables) for containerd 1.x nodes",
                       notes=(f"containerd 1.6.32+ and 1.7.17+ exit: `unsupported config version `{merged}``",
                              "containerd 1.6.0-1.6.31 and 1.7.0-1.7.16 start but read the file as version 2: "
                              "no [plugins.\"io.containerd.cri.v1.runtime\"] table is used",
                              "services/server/config/config.go ValidateV2 (commits 00347b7f, 38607b59)"))
        top = 4 if self.group == "2.3" else 3
        if self.group != "1.x" and merged > top and setter is not None:
            self.failures.append("unsupported config version")
            self.add16(setter, f"`version = {merged}` stops {ctd}: it reads config versions up to {top}",
                       help_=f"Set `version = {top}`",
                       notes=(f"`failed to load TOML from ...: expected containerd config version equal to or less "
                              f"than `{top}`, got `{merged}``",))
        if self.group == "2.3":
            root = 0
            for f in self.files:
                if root == 0:
                    root = f.version or 0
                if f.version and f.version > root and f.origin is not None:
                    self.failures.append("drop-in version higher than the root config's")
                    self.add16(f, f"drop-in `version = {f.version}` is higher than the root config's {root}; "
                                  f"{ctd} refuses to start",
                               help_=f"Set `version = {root}` here or raise the root config's version",
                               notes=(f"`drop-in config version {f.version} higher than root config version "
                                      f"{root}` (cmd/containerd/server/config/config.go LoadConfigWithPlugins)",))

    def add16(self, f: _File, message: str, help_: str = "", notes: Tuple[str, ...] = ()) -> None:
        assert f.doc is not None
        span = f.doc.value_span(("version",)) or f.doc.key_span(("version",)) or Span(1, 1)
        self.findings.append(Finding("RCL316", message, f.display, span, field="version", help=help_, notes=notes))

    def version_notes(self) -> None:
        main_v = self.main.version
        if self.main.doc is None:
            return
        if self.semantics == "1.x" and (main_v in (None, 0, 1)):
            self.note(f"{self.main.display}: no `version` key means version 1 (deprecated in containerd 1.x, "
                      "plugin IDs are short names like `cri`)")

    # ------------------------------------------------------------------ the effective CRI section

    def reads(self, f: _File, merged: int) -> Tuple[Tuple[str, str], ...]:
        """The plugin tables containerd takes CRI runtimes from in file `f`."""
        old = (f.version or 0) <= 1
        if self.group == "1.x":
            return (V1_CRI,) if merged == 1 else (V2_CRI,)
        if self.group == "2.0" and merged >= 3:
            return (V3_RUNTIME,)
        if self.group == "2.3" and (f.version or 0) >= 4:
            return (V3_RUNTIME,)
        return (V3_RUNTIME, V2_CRI) + ((V1_CRI,) if old else ())

    def effective_cri_1x(self, base: Tuple[str, str]) -> Tuple[Dict[str, Any], Prov]:
        """containerd 1.x: the last file with the CRI table replaces it wholesale."""
        plugin_id = base[1]
        prov: Prov = {}
        winner: Optional[int] = None
        current: Optional[Dict[str, Any]] = None
        for f in self.files:
            table = f.plugins().get(plugin_id)
            if not isinstance(table, dict):
                continue
            if current is not None and winner is not None and f.origin is not None:
                self.check_replacement(self.files[winner], current, f, table, base)
            winner, current = f.index, table
        if winner is None or current is None:
            return {}, prov
        _walk_prov(current, (), winner, base, prov)
        return current, prov

    def _file_tables(self, f: _File, bases: Sequence[Tuple[str, str]]) -> Tuple[Dict[str, Any], Prov]:
        out: Dict[str, Any] = {}
        prov: Prov = {}
        for base in bases:
            table = f.plugins().get(base[1])
            if isinstance(table, dict):
                _deep_merge(out, table, (), f.index, base, prov)
        return out, prov

    def effective_cri_2x(self, merged: int) -> Tuple[Dict[str, Any], Prov]:
        """containerd 2.x: deep-merged io.containerd.cri.v1.runtime, with the CRI v2 -> v3 migration
        (plugins/cri/runtime/plugin.go migrateConfig) once on the merged config (2.0-2.2, merged
        version below 3) or per file before merging (2.3+, files below version 4)."""
        cri: Dict[str, Any] = {}
        prov: Prov = {}
        if self.group == "2.0":
            for f in self.files:
                table = f.plugins().get(V3_RUNTIME[1])
                if isinstance(table, dict):
                    _deep_merge(cri, table, (), f.index, V3_RUNTIME, prov)
            if merged < 3:
                src: Dict[str, Any] = {}
                src_prov: Prov = {}
                for f in self.files:
                    old = (V2_CRI, V1_CRI) if (f.version or 0) <= 1 else (V2_CRI,)
                    table, tprov = self._file_tables(f, old)
                    _merge_with_prov(src, src_prov, table, tprov)
                self.dropped.extend(_migrate(cri, prov, src, src_prov))
            return cri, prov
        for f in self.files:
            table, tprov = self._file_tables(f, (V3_RUNTIME,))
            if (f.version or 0) < 4:
                old = (V2_CRI, V1_CRI) if (f.version or 0) <= 1 else (V2_CRI,)
                src, src_prov = self._file_tables(f, old)
                self.dropped.extend(_migrate(table, tprov, src, src_prov))
            _merge_with_prov(cri, prov, table, tprov)
        return cri, prov

    def check_replacement(self, old_file: _File, old: Dict[str, Any], new_file: _File,
                          new: Dict[str, Any], base: Tuple[str, str]) -> None:
        """RCL309: containerd 1.x replaces the whole CRI table with the imported file's."""
        old_leaves = _flatten(old)
        new_leaves = set(_flatten(new))
        lost = [p for p in old_leaves if p not in new_leaves and p != ()]
        old_rt = old.get("containerd", {}).get("runtimes") if isinstance(old.get("containerd"), dict) else None
        new_rt = new.get("containerd", {}).get("runtimes") if isinstance(new.get("containerd"), dict) else None
        lost_runtimes = [n for n in (old_rt or {}) if n not in (new_rt or {})]
        if not lost:
            return
        self.replacements.append((old_file.display, new_file.display))
        importer = self.files[new_file.origin[0]]  # type: ignore[index]
        loc = self._import_location(importer, new_file.origin[1])  # type: ignore[index]
        what: List[str] = []
        if lost_runtimes:
            what.append("runtime" + ("s " if len(lost_runtimes) > 1 else " ") + ", ".join(lost_runtimes))
        other = [p for p in lost if not (len(p) >= 3 and p[:2] == ("containerd", "runtimes") and p[2] in lost_runtimes)]
        if other:
            shown = ", ".join(toml_key_path(p) for p in other[:4])
            more = f" and {len(other) - 4} more" if len(other) > 4 else ""
            what.append(f"{shown}{more}")
        section = toml_key_path(base)
        self.add(
            "RCL309",
            f"on containerd 1.x, {posixpath.basename(new_file.display)} replaces the CRI section of "
            f"{old_file.display}; "
            f"it drops {', '.join(what)}; containerd 1.x replaces the whole [{section}] table instead of merging "
            "plugin tables; copy the full CRI section into the drop-in, or move to containerd 2.x "
            "(version = 3), which merges plugin tables",
            loc,
            field_="imports",
        )
        self.note(f"containerd 2.x would merge {new_file.display}'s CRI tables into {old_file.display}'s instead "
                  "of replacing them")

    # ------------------------------------------------------------------ RCL301

    def check_wrong_paths(self, merged: int) -> None:
        for f in self.files:
            if f.doc is None:
                continue
            read = self.reads(f, merged)
            for base in (V1_CRI, V2_CRI, V3_RUNTIME):
                runtimes = f.doc.get(base + ("containerd", "runtimes"))
                if not isinstance(runtimes, dict):
                    continue
                for name in runtimes:
                    path = base + ("containerd", "runtimes", name)
                    left = (f.index, path) in self.dropped
                    if base in read and not left:
                        continue
                    message, help_, notes = self._wrong_path(name, base, f, merged, left)
                    loc = f.header(path)
                    self.findings.append(Finding("RCL301", message, loc.path, loc.span, field=loc.field,
                                                 help=help_, notes=notes))

    def _wrong_path(self, name: str, base: Tuple[str, str], f: _File, merged: int,
                    left: bool = False) -> Tuple[str, str, Tuple[str, ...]]:
        short = {V1_CRI: "plugins.cri", V2_CRI: "io.containerd.grpc.v1.cri", V3_RUNTIME: "io.containerd.cri.v1.runtime"}
        written = f"version = {f.version}" if f.version else "no version"
        message = (f"runtime {name!r} is under [{short[base]}], which {VERSIONS_TOKEN} ignores in this "
                   f"config ({written})")
        if len(message) > 110:  # long runtime names: keep the message on one line of at most 120 characters
            message = f"runtime {name[:40]!r} is under [{short[base]}], which {VERSIONS_TOKEN} ignores"
        rt = toml_key_path((name,))
        error = (f"pods using handler {name!r} fail: `no runtime for \"{name}\" is configured`")
        if self.group == "1.x":
            if base == V3_RUNTIME:
                why = "containerd 1.x has no io.containerd.cri.v1.runtime plugin; containerd 2.0+ reads this table"
                help_ = (f"For containerd 1.x nodes move it to [{toml_key_path(V2_CRI)}.containerd.runtimes.{rt}] "
                         "with `version = 2`; for containerd 2.x nodes declare the pool's version")
            elif base == V2_CRI:
                why = ("containerd 1.x reads a version 1 file's CRI settings from [plugins.cri] and ignores full "
                       "plugin IDs (containerd/containerd#5237)")
                help_ = "Add `version = 2` at the top of the main config"
            else:
                why = ("a version 2 file needs full plugin IDs; containerd 1.x refuses to start (`invalid plugin "
                       "key URI \"cri\" expect io.containerd.x.vx`)")
                help_ = f"Rename the table to [{toml_key_path(V2_CRI)}.containerd.runtimes.{rt}]"
            return message, help_, (why, error)
        target = f"[{toml_key_path(V3_RUNTIME)}.containerd.runtimes.{rt}]"
        if left:
            why = ("the config also has io.containerd.cri.v1.runtime runtimes, and containerd 2.x migrates the v2 "
                   "`runtimes` table only when there are none (plugins/cri/runtime/plugin.go migrateConfig)")
        elif base == V2_CRI and self.group == "2.0":
            why = (f"containerd 2.0-2.2 migrate io.containerd.grpc.v1.cri tables only when the merged config's "
                   f"version is below 3 (here {merged}); they log `Ignoring unknown key in TOML for plugin`")
        elif base == V2_CRI:
            why = ("containerd 2.3+ migrates io.containerd.grpc.v1.cri tables only in files below version 4 "
                   "(LoadConfigWithPlugins)")
        elif self.group == "2.0" and (f.version or 0) <= 1:
            why = ("containerd 2.0-2.2 rename a version-less file's plugins.cri but migrate CRI tables only when the "
                   f"merged version is below 3 (here {merged})")
        else:
            why = "containerd 2.x reads plugins.cri only in a file without `version` (or `version = 1`)"
        return message, f"Move it to {target}", (why, error)

    # ------------------------------------------------------------------ building the view

    def build(self) -> RuntimeConfig:
        self.load_files()
        merged, setter = self.merged_version()
        self.version_checks(merged, setter)
        self.version_notes()
        if self.group == "1.x":
            base = V1_CRI if merged == 1 else V2_CRI
            cri, prov = self.effective_cri_1x(base)
        else:
            base = V3_RUNTIME
            cri, prov = self.effective_cri_2x(merged)
        self.check_wrong_paths(merged)
        cfg = RuntimeConfig(
            kind="containerd",
            path=self.main.display if self.files else self.display(self.path),
            sources=[f.display for f in self.files],
            config_version=self.main.version if self.files else None,
            node_root=self.node_root,
            semantics=f"containerd-{self.semantics}",
        )
        cfg.broken_sources = [f.display for f in self.files if f.doc is None]
        if cfg.broken_sources:
            self.failures.append("a config file does not parse")
            self.note("containerd refuses to start while a config file does not parse: "
                      + ", ".join(cfg.broken_sources))
        self.populate(cfg, cri, prov, base, merged)
        cfg.findings = self.findings
        cfg.notes = self.notes
        cfg.missing_imports = self.missing
        broken_imports = [f.display for f in self.files[1:] if f.doc is None]
        if broken_imports and self.unknown is None:  # its runtimes cannot be read (RCL002 says why)
            self.unknown = f"import {broken_imports[0]} does not parse"
        cfg.handlers_unknown = self.unknown
        cfg.versions = self.lines
        cfg.failures = self.failures
        return cfg

    def loc(self, prov: Prov, rel: Tuple[Any, ...], header: bool = False) -> Optional[Location]:
        entry = prov.get(rel)
        if entry is None:
            return None
        f = self.files[entry[0]]
        return f.header(entry[1]) if header else f.location(entry[1])

    def main_start(self, field_: str = "") -> Location:
        return Location(self.main.display if self.files else self.display(self.path), Span(1, 1), field_)

    def populate(self, cfg: RuntimeConfig, cri: Dict[str, Any], prov: Prov, base: Tuple[str, str],
                 version: int) -> None:
        sem = self.semantics
        self.prov = prov
        ctd = cri.get("containerd") if isinstance(cri.get("containerd"), dict) else {}
        runtimes_value = ctd.get("runtimes")
        user_runtimes: Dict[str, Any] = runtimes_value if isinstance(runtimes_value, dict) else {}
        runtimes_written = isinstance(runtimes_value, dict)
        base_field = toml_key_path(base)

        # ---- handlers
        tables: Dict[str, Dict[str, Any]] = {}
        implicit: Dict[str, bool] = {}
        windows = any(isinstance(t, dict) and "runhcs" in str(t.get("runtime_type", "")) for t in user_runtimes.values())
        builtin_default = "runhcs-wcow-process" if windows and sem == "2.x" else "runc"
        if sem == "2.x":
            # internal/cri/config/config_unix.go / config_windows.go DefaultRuntimeConfig
            builtins = _BUILTIN_WINDOWS_2X if windows else {"runc": _BUILTIN_RUNC_2X}
            for name, builtin in builtins.items():
                merged = copy.deepcopy(builtin)
                if isinstance(user_runtimes.get(name), dict):
                    _deep_merge(merged, user_runtimes[name], ("__builtin__",), -1, (), {})
                tables[name] = merged
                implicit[name] = not isinstance(user_runtimes.get(name), dict)
            for name, table in user_runtimes.items():
                if name not in builtins:
                    tables[name] = table if isinstance(table, dict) else {}
                    implicit[name] = False
        else:
            if runtimes_written:
                for name, table in user_runtimes.items():
                    tables[name] = table if isinstance(table, dict) else {}
                    implicit[name] = False
            else:
                tables["runc"] = copy.deepcopy(_BUILTIN_RUNC_1X)
                implicit["runc"] = True

        handlers: Dict[str, Handler] = {}
        for name, table in tables.items():
            handlers[name] = self.make_handler(name, table, implicit[name], prov, ("containerd", "runtimes", name),
                                               base)
            self.handler_rel[name] = ("containerd", "runtimes", name)

        # ---- deprecated 1.x default_runtime / untrusted_workload_runtime tables (1.x semantics)
        default_name: Optional[str] = None
        default_loc: Optional[Location] = None
        default_explicit = False
        name_key, name_value = _get_variant(ctd, "default_runtime_name", sem)
        if name_key is not None:
            default_explicit = True
            default_name = name_value if isinstance(name_value, str) else str(name_value)
            default_loc = self.loc(prov, ("containerd", name_key))
        else:
            default_name = builtin_default

        legacy: Dict[str, Tuple[str, Dict[str, Any], str]] = {}
        for table_key, runtime_name in (("untrusted_workload_runtime", "untrusted"), ("default_runtime", "default")):
            tk, table = _get_variant(ctd, table_key, sem)
            if tk is None or not isinstance(table, dict):
                continue
            rtype = table.get("runtime_type")
            self.check_legacy_table(tk, table, prov, runtime_name, user_runtimes)
            if sem == "1.x" and isinstance(rtype, str) and rtype:
                legacy[runtime_name] = (tk, table, runtime_name)
        if sem == "1.x":
            for runtime_name, (tk, table, _n) in legacy.items():
                if runtime_name == "untrusted" and runtime_name in handlers:
                    continue  # conflicting definitions: reported with RCL303 above
                h = self.make_handler(runtime_name, table, False, prov, ("containerd", tk), base)
                handlers[runtime_name] = h
                self.handler_rel[runtime_name] = ("containerd", tk)
                if runtime_name == "default":
                    default_name = "default"
                    default_loc = self.loc(prov, ("containerd", tk), header=True)
                    default_explicit = True

        cfg.handlers = handlers
        cfg.default_handler = default_name
        cfg.default_explicit = default_explicit
        if default_loc is not None:
            cfg.default_span, cfg.default_path, cfg.default_field = default_loc.span, default_loc.path, default_loc.field
        else:
            start = self.main_start()
            cfg.default_span, cfg.default_path = start.span, start.path
            cfg.default_field = f"{base_field}.containerd.default_runtime_name"

        # ---- plugin-level removed settings
        self.check_plugin_level(cri, ctd, prov, handlers, default_name)

        # ---- RCL302
        self.check_default(cfg, handlers, default_name, default_loc, default_explicit, runtimes_written, prov,
                           user_runtimes, base_field)

        # ---- per-handler checks and cgroup settings
        plugin_systemd = cri.get("systemd_cgroup") is True
        for name, h in handlers.items():
            if not h.implicit:
                self.check_handler(h)
            rtype = h.runtime_type or ""
            if rtype in RUNC_TYPES:
                key, value = _get_variant(h.options, "SystemdCgroup", sem)
                systemd = value is True
                explicit = key is not None
                loc = h.locations.get(f"options.{key}") if key else None
                h.systemd_cgroup = systemd
                cfg.cgroup_settings.append(CgroupSetting(
                    driver="systemd" if systemd else "cgroupfs",
                    explicit=explicit,
                    path=loc.path if loc else h.path,
                    span=loc.span if loc else h.span,
                    field=loc.field if loc else f"{h.field}.options.SystemdCgroup",
                    handler=name,
                ))
            elif rtype == LINUX_V1 and sem == "1.x":
                h.systemd_cgroup = plugin_systemd

        if sem == "1.x":
            defined = [n for n, h in handlers.items() if not h.implicit]
            if runtimes_written and "runc" not in user_runtimes:
                self.note("containerd 1.x drops its built-in `runc` handler because this config defines runtimes "
                          f"({', '.join(defined) or 'an empty runtimes table'}); containerd 2.x would keep `runc`")
        if windows:
            self.note("runhcs runtimes: a Windows node; containerd 2.x's built-in handlers there are "
                      "runhcs-wcow-process (the default) and runhcs-wcow-hypervisor")

    # ------------------------------------------------------------------ handler construction

    def make_handler(self, name: str, table: Dict[str, Any], implicit: bool, prov: Prov,
                     rel: Tuple[Any, ...], base: Tuple[str, str]) -> Handler:
        sem = self.semantics
        header = None if implicit else self.loc(prov, rel, header=True)
        if header is None:
            header = self.main_start(toml_key_path(base + rel))
        locations: Dict[str, Location] = {}
        for key, value in table.items():
            loc = self.loc(prov, rel + (key,))
            if loc is not None:
                locations[key] = loc
            if key == "options" and isinstance(value, dict):
                for okey in value:
                    oloc = self.loc(prov, rel + ("options", okey))
                    if oloc is not None:
                        locations[f"options.{okey}"] = oloc
        _, rtype = _get_variant(table, "runtime_type", sem)
        _, rpath = _get_variant(table, "runtime_path", sem)
        _, options = _get_variant(table, "options", sem)
        _, pwhd = _get_variant(table, "privileged_without_host_devices", sem)
        rtype = rtype if isinstance(rtype, str) else (None if rtype is None else str(rtype))
        rpath = rpath if isinstance(rpath, str) and rpath else None
        return Handler(
            name=name,
            runtime_type=rtype or None,
            runtime_path=rpath,
            kind=runtime_kind(rtype, rpath),
            path=header.path,
            span=header.span,
            options=options if isinstance(options, dict) else {},
            privileged_without_host_devices=pwhd if isinstance(pwhd, bool) else None,
            table=table,
            implicit=implicit,
            field=toml_key_path(base + rel),
            locations=locations,
            binary=shim_binary(rtype, rpath),
        )

    # ------------------------------------------------------------------ checks

    def value_loc(self, rel: Tuple[Any, ...]) -> Optional[Location]:
        """Where the value at `rel` (relative to the effective CRI table) is written."""
        for n in range(len(rel), 0, -1):  # array items have no provenance of their own: use the array's
            entry = self.prov.get(rel[:n])
            if entry is not None:
                break
        else:
            return None
        if entry[0] < 0:
            return None
        f = self.files[entry[0]]
        assert f.doc is not None
        src = tuple(entry[1]) + tuple(rel[n:])
        span = f.doc.value_span(src) or f.doc.key_span(src)
        return Location(f.display, span, toml_key_path(src)) if span else None

    def type_finding(self, loc: Location, what: str, key: str, value: Any, expected: str, needs: str,
                     consequence: Tuple[str, ...]) -> None:
        self.findings.append(type_finding(loc, what, key, value, expected, needs, consequence))

    def check_types(self, h: Handler) -> None:
        """RCL315: a value of the wrong TOML type in a runtime table (containerd exits at start-up)
        or in a runc `options` table (every sandbox of the handler fails)."""
        rel = self.handler_rel.get(h.name)
        if rel is None:
            return
        for path, expected, value in type_errors(RUNTIME_SCHEMA, {k: v for k, v in h.table.items() if k != "options"}):
            loc = self.value_loc(rel + path)
            if loc is None:
                continue
            key = toml_key_path(path)
            self.failures.append(f"`{key}` has the wrong type")
            self.type_finding(loc, f"runtime {h.name!r}", key, value, expected, "containerd",
                              (self.decode_error(value, expected, self.key_pos(rel + path)),
                               "containerd exits at start-up: the CRI plugin config cannot be decoded (server.New, "
                               "config.Decode)"))
        if h.runtime_type in RUNC_TYPES and isinstance(h.options, dict):
            for path, expected, value in type_errors(RUNC_OPTIONS_SCHEMA, h.options):
                loc = self.value_loc(rel + ("options",) + path)
                if loc is None:
                    continue
                key = "options." + toml_key_path(path)
                self.type_finding(loc, f"runtime {h.name!r}", key, value, expected, "the runc shim",
                                  (f"every sandbox of handler {h.name!r} fails: `failed to generate runtime "
                                   f"options: ...` ({self.decode_error(value, expected)})",
                                   "options are decoded per sandbox (GenerateRuntimeOptions), so containerd starts"))

    def key_pos(self, rel: Tuple[Any, ...]) -> Optional[Span]:
        """Where the key of the value at `rel` is written (go-toml v1 errors carry its position)."""
        entry = self.prov.get(rel)
        if entry is None or entry[0] < 0 or self.files[entry[0]].doc is None:
            return None
        return self.files[entry[0]].doc.key_span(entry[1])  # type: ignore[union-attr]

    def decode_error(self, value: Any, expected: str, pos: Optional[Span] = None) -> str:
        go = {"boolean": "bool", "string": "string", "integer": "int64", "array": "[]string", "object": "map"}
        toml_go = {"boolean": "bool", "integer": "int64", "float": "float64", "string": "string",
                   "array": "[]interface {}", "table": "*toml.Tree", "datetime": "time.Time"}
        if self.semantics == "1.x":
            shown = toml_literal(value).strip('"') if isinstance(value, (str, bool, int, float)) else value
            where = f"({pos.line}, {pos.column}): " if pos is not None else ""
            return (f"containerd 1.x (go-toml v1): `{where}Can't convert {shown}({toml_go[toml_type(value)]}) to "
                    f"{go.get(expected, expected)}`")
        return (f"containerd 2.x (go-toml v2): `cannot decode TOML {toml_type(value)} into struct field ... of type "
                f"{go.get(expected, expected)}`")

    def removed(self, loc: Location, what: str, instead: str, fatal: str = "", new_file: bool = False) -> None:
        """RCL303. `fatal`: the ValidatePluginConfig error containerd 1.x stops its CRI plugin with
        (an error for pools on 1.x); `new_file`: written in a version 3+ file, which only
        containerd 2.x reads (an error there too)."""
        ref = "pkg/cri/config/config.go ValidatePluginConfig (containerd 1.6, 1.7)"
        if fatal and self.semantics == "1.x":
            self.failures.append(fatal)
            self.findings.append(Finding(
                "RCL303", f"{what} stops the CRI plugin of {VERSIONS_TOKEN}", loc.path, loc.span,
                field=loc.field, severity=Severity.ERROR, help=instead,
                notes=(f"`failed to load plugin io.containerd.grpc.v1.cri` error=\"invalid plugin config: {fatal}\"",
                       "containerd keeps running without CRI, so the kubelet cannot start any pod", ref,
                       "removed in containerd 2.0 (RELEASES.md, deprecated config properties)")))
            return
        notes = ("removed in containerd 2.0 (RELEASES.md, deprecated config properties); containerd 2.x ignores it "
                 "(`Ignoring unknown key in TOML for plugin`)",)
        severity = Severity.ERROR if new_file and self.semantics == "2.x" else None
        self.findings.append(Finding("RCL303", f"{what} was removed in containerd 2.0", loc.path, loc.span,
                                     field=loc.field, severity=severity, help=instead, notes=notes))

    def version_of(self, loc: Optional[Location]) -> int:
        """The `version` of the file a location is in (0 when none)."""
        for f in self.files:
            if loc is not None and f.display == loc.path:
                return f.version or 0
        return 0

    def check_plugin_level(self, cri: Dict[str, Any], ctd: Dict[str, Any], prov: Prov,
                           handlers: Dict[str, Handler], default_name: Optional[str]) -> None:
        for path, expected, value in type_errors(CRI_PLUGIN_SCHEMA, cri):
            loc = self.value_loc(path)
            if loc is not None:
                self.failures.append(f"`{toml_key_path(path)}` has the wrong type")
                self.type_finding(loc, "CRI plugin", toml_key_path(path), value, expected, "containerd",
                                  (self.decode_error(value, expected, self.key_pos(path)),
                                   "containerd exits at start-up: the CRI plugin config cannot be decoded (server.New, "
                                   "config.Decode)"))
        for key, rel, instead in (
            ("systemd_cgroup", ("systemd_cgroup",),
             "Set `SystemdCgroup = true` in each runc runtime's `options` table instead"),
            ("no_pivot", ("containerd", "no_pivot"), "Use the runc runtime's `options.NoPivotRoot` instead"),
        ):
            table = cri if len(rel) == 1 else ctd
            if key not in table:
                continue
            value = table[key]
            loc = self.loc(prov, rel)
            if loc is None:
                continue
            new_file = self.version_of(loc) >= 3
            if value is not True and not new_file:
                continue  # `config default` writes `= false`: harmless
            fatal = ""
            if value is True:
                default = handlers.get(default_name or "")
                if default is None or default.runtime_type != LINUX_V1:
                    fatal = f"`{key}` only works for runtime {LINUX_V1}"
            self.removed(loc, f"plugin-level `{key} = {toml_literal(value)}`", instead, fatal, new_file)

    def check_legacy_table(self, table_key: str, table: Dict[str, Any], prov: Prov, runtime_name: str,
                           user_runtimes: Dict[str, Any]) -> None:
        rtype = table.get("runtime_type")
        loc = self.loc(prov, ("containerd", table_key), header=True)
        if loc is None:
            return
        new_file = self.version_of(loc) >= 3
        if not (isinstance(rtype, str) and rtype) and not new_file:
            return  # the empty table `config default` writes: no effect
        fatal = ""
        if table_key == "default_runtime":
            instead = "Define the runtime under `containerd.runtimes.<name>` and set `default_runtime_name`"
        else:
            instead = "Define it as `containerd.runtimes.untrusted` instead"
            if "untrusted" in user_runtimes:
                fatal = ("conflicting definitions: configuration includes both `untrusted_workload_runtime` and "
                         "`runtimes[\"untrusted\"]`")
        self.removed(loc, f"`containerd.{table_key}`", instead, fatal, new_file)

    def check_default(self, cfg: RuntimeConfig, handlers: Dict[str, Handler], default_name: Optional[str],
                      default_loc: Optional[Location], explicit: bool, runtimes_written: bool, prov: Prov,
                      user_runtimes: Dict[str, Any], base_field: str) -> None:
        if default_name is None:
            return
        if explicit and default_name == "":
            loc = default_loc or self.main_start(cfg.default_field)
            self.add("RCL302", "default_runtime_name is empty", loc,
                     help='default_runtime_name = "runc" (or the name of one of your runtime tables)',
                     notes=("the CRI plugin fails to load: `default_runtime_name` is empty", "no pod can start"))
            return
        if default_name in handlers:
            return
        available = ", ".join(sorted(handlers)) or "none"
        guess = suggest(default_name, handlers)
        plugin_error = (f"the CRI plugin fails to load: no corresponding runtime configured in "
                        f"`containerd.runtimes` for `containerd` `default_runtime_name = \"{default_name}\"`")
        if explicit and default_loc is not None:
            notes = [plugin_error, "no pod can start", f"runtime tables defined: {available}"]
            if self.semantics == "1.x" and default_name == "runc" and runtimes_written:
                notes.append("containerd 1.x drops its built-in `runc` once a config defines runtimes "
                             "(containerd 2.x keeps it)")
            self.add(
                "RCL302",
                f"default_runtime_name = {default_name!r} names no runtime table",
                default_loc,
                help=f"did you mean {guess!r}?" if guess else "add a runtime table with this name",
                notes=tuple(notes),
            )
            return
        # the built-in default name ("runc") dangling: only under 1.x semantics
        loc = self.loc(prov, ("containerd", "runtimes"), header=True) or self.main_start(cfg.default_field)
        defined = [n for n in user_runtimes]
        replaced = ""
        if self.replacements:
            old, new = self.replacements[-1]
            replaced = (f" (the CRI section in effect is {new}'s, which replaced {old}'s on containerd 1.x: "
                        "see RCL309)")
        shown = ", ".join(defined[:3]) + (f" and {len(defined) - 3} more" if len(defined) > 3 else "")
        notes = [f"this config defines only {shown if defined else 'an empty runtimes table'}",
                 "containerd 1.x drops its built-in `runc` once a config defines runtimes "
                 "(containerd 2.x keeps the built-in runc)",
                 plugin_error]
        if replaced:
            notes.insert(0, replaced.strip(" ()"))
        self.add(
            "RCL302",
            f"default_runtime_name is not set, so it is {default_name!r}, which this config does not define",
            Location(loc.path, loc.span, f"{base_field}.containerd.default_runtime_name"),
            help=(f"add a [{base_field}.containerd.runtimes.runc] table, or set default_runtime_name to one of "
                  f"{', '.join(defined[:3]) or 'your runtimes'}"),
            notes=tuple(notes),
        )

    def check_handler(self, h: Handler) -> None:
        sem = self.semantics
        table = h.table
        header = Location(h.path, h.span, h.field)

        def key_loc(key: str) -> Location:
            loc = h.locations.get(key)
            return loc if loc is not None else Location(h.path, h.span, f"{h.field}.{key}")

        # RCL306
        if not is_dns_label(h.name):
            fixed = re.sub(r"[^a-z0-9-]+", "-", h.name.lower()).strip("-")[:63] or "runtime"
            self.add("RCL306", f"runtime name {h.name!r} is not a valid DNS label; no RuntimeClass `handler` can "
                               f"select it (lowercase letters, digits and '-', at most 63 characters); rename "
                               f"it to {fixed!r}", header)

        # RCL304 / RCL303 on runtime_type
        tkey, rtype = _get_variant(table, "runtime_type", sem)
        if tkey is None or rtype in ("", None):
            loc = key_loc(tkey) if tkey else header
            extra = ""
            if sem == "1.x" and h.name == "runc":
                extra = (" containerd 1.x builds each runtime table from scratch, so this `runc` table does not "
                         f"inherit the built-in runtime_type = \"{RUNC_V2}\" (containerd 2.x would keep it).")
                self.note(f"containerd 2.x would keep the built-in runtime_type of `runc` ({RUNC_V2}); containerd "
                          "1.x does not")
            self.add("RCL304", f"runtime {h.name!r} has no runtime_type: containerd cannot pick a shim and pods using "
                               f"it fail; set e.g. runtime_type = \"{RUNC_V2}\".{extra}", loc)
        elif not isinstance(rtype, str):
            self.add("RCL304", f"runtime {h.name!r}: runtime_type must be a string", key_loc(tkey))
        elif rtype in (RUNC_V1, LINUX_V1):
            instead = f"Use runtime_type = \"{RUNC_V2}\"" + (
                " and move runtime_engine to options.BinaryName." if rtype == LINUX_V1 else ".")
            self.removed(key_loc(tkey), f"runtime_type = \"{rtype}\" (runtime {h.name!r})", instead,
                         new_file=self.version_of(key_loc(tkey)) >= 3)
        elif is_absolute_path(rtype):
            pass  # containerd accepts an absolute shim path as the runtime name
        elif "/" in rtype or "\\" in rtype:
            self.add("RCL304", f"runtime {h.name!r}: runtime_type {rtype!r} is a relative path; containerd rejects it "
                               "(`invalid runtime name ..., correct runtime name should be either format like "
                               "`io.containerd.runc.v2` or a full path to the binary`)", key_loc(tkey))
        elif not _SHIM_NAME.match(rtype):
            binary = shim_binary(rtype, None)
            found = f" (it would look for a binary named {binary!r})" if binary else ""
            self.add("RCL304", f"runtime {h.name!r}: runtime_type {rtype!r} does not name a shim "
                               f"(`io.containerd.<name>.<version>`, e.g. \"{RUNC_V2}\" or "
                               f"\"io.containerd.kata.v2\"){found}", key_loc(tkey))

        # RCL304 relative runtime_path
        pkey, rpath = _get_variant(table, "runtime_path", sem)
        if isinstance(rpath, str) and rpath and not is_absolute_path(rpath):
            self.add("RCL304", f"runtime {h.name!r}: runtime_path {rpath!r} is not absolute; containerd requires an "
                               "absolute path to the shim binary", key_loc(pkey or "runtime_path"))

        # RCL303 removed per-runtime keys
        for removed_key, instead in (("runtime_engine", "Set options.BinaryName (runc) instead"),
                                     ("runtime_root", "Set options.Root (runc) instead")):
            rk, value = _get_variant(table, removed_key, sem)
            if rk is None:
                continue
            new_file = self.version_of(key_loc(rk)) >= 3
            if not value and not new_file:
                continue  # `config default` writes them empty
            fatal = f"`{removed_key}` only works for runtime {LINUX_V1}" if value and rtype != LINUX_V1 else ""
            self.removed(key_loc(rk), f"`{removed_key}` (runtime {h.name!r})", instead, fatal, new_file)
        if isinstance(h.options, dict):
            ck, cval = _get_variant(h.options, "CriuPath", sem)
            new_file = ck is not None and self.version_of(key_loc(f"options.{ck}")) >= 3
            if ck is not None and (new_file or cval):
                self.removed(key_loc(f"options.{ck}"), f"`options.CriuPath` (runtime {h.name!r})",
                             "Install criu in containerd's PATH instead", new_file=new_file)

        self.check_types(h)

        # RCL307 unknown keys (runtime table)
        known = known_keys(RUNTIME_SCHEMA)
        for key in unknown_keys(RUNTIME_SCHEMA, table):
            if _accepted_key(key, known, sem):
                continue
            self.add("RCL307", f"runtime {h.name!r}: unknown key `{key}`; containerd ignores it"
                               f"{did_you_mean(key, known)}", key_loc(key))
        if sem == "2.x":
            sk, _ = _get_variant(table, "sandbox_mode", sem)
            if sk is not None:
                self.add("RCL307", f"runtime {h.name!r}: `{sk}` was renamed `sandboxer` in containerd 2.0 and is "
                                   "ignored in a version 3+ config; did you mean `sandboxer`?", key_loc(sk))
        # RCL307 unknown runc options
        if (rtype in RUNC_TYPES) and isinstance(h.options, dict) and h.options:
            oknown = known_keys(RUNC_OPTIONS_SCHEMA)
            for key in unknown_keys(RUNC_OPTIONS_SCHEMA, h.options):
                if _accepted_key(key, oknown, sem):
                    continue
                hint = did_you_mean(key, oknown)
                case_note = ""
                if sem == "1.x" and any(k.lower() == key.lower() for k in oknown):
                    case_note = (" (containerd 1.x matches option names only exactly, all-lowercase or "
                                 "all-uppercase)")
                self.add("RCL307", f"runtime {h.name!r}: unknown runc option `{key}`; runc options are the Go field "
                                   f"names of containerd's runc Options (CamelCase) and unknown ones are dropped "
                                   f"silently{case_note}{hint}", key_loc(f"options.{key}"))

        # RCL310
        ak, allowed = _get_variant(table, "privileged_without_host_devices_all_devices_allowed", sem)
        if allowed is True and h.privileged_without_host_devices is not True:
            self.add("RCL310", f"runtime {h.name!r}: ..._all_devices_allowed = true without "
                               "privileged_without_host_devices = true; set privileged_without_host_devices = true; "
                               "containerd (1.7 and later) fails to "
                               "load the CRI plugin (`privileged_without_host_devices_all_devices_allowed` requires "
                               "`privileged_without_host_devices` to be enabled)", key_loc(ak or ""))


def load_containerd(
    path: str,
    read_text: Callable[[str], str] = read_text_file,
    display_path: Callable[[str], str] = _identity,
    *,
    glob: Optional[Callable[[str], List[str]]] = None,
    semantics: Optional[str] = None,
    versions: Optional[Sequence[str]] = None,
    node_root: Optional[str] = "auto",
) -> RuntimeConfig:
    """Load a containerd config and its imports as each containerd release it may run on would.

    path: the main config file (a real path read through `read_text`).
    read_text: returns a file's text; raises OSError (FileNotFoundError) when it cannot.
      An unreadable main file propagates; an unreadable import becomes a note and an entry
      in `missing_imports`.
    display_path: turns real paths into the paths findings/handlers/sources carry.
    glob: expands an import pattern containing `*` (default: Go filepath.Glob semantics on
      the local filesystem).
    versions: the containerd release lines the node runs ("1.6" ... "2.3", see
      rclint.runtimes.versions); default: every line the config's `version` allows.
    semantics: "1.x" or "2.x" is shorthand for versions 1.6-1.7 or 2.0-2.3.
    node_root: directory that stands for `/` of the node when following absolute imports;
      "auto" detects `<root>/etc/containerd/config.toml`; None never follows absolute imports.

    The result is one view per loader model (1.x, 2.0-2.2, 2.3+) combined: `views` holds each,
    `handlers` every handler of any view (`Handler.versions` says where it exists), and a
    finding that holds only on some lines names them.
    """
    from rclint.runtimes.versions import CONTAINERD_LINES, combine_views, groups, infer_containerd

    if semantics not in (None, "1.x", "2.x"):
        raise ValueError("semantics must be None, '1.x' or '2.x'")
    root = detect_node_root(path) if node_root == "auto" else node_root
    declared = True
    if versions:
        lines = tuple(line for line in CONTAINERD_LINES if line in versions)
    elif semantics:
        lines = tuple(line for line in CONTAINERD_LINES if line.startswith(semantics[0] + "."))
    else:
        declared = False
    if declared and not lines:
        lines = CONTAINERD_LINES  # nothing rclint models: judge by every line
    parsed: Dict[str, Any] = {}
    if not declared:
        probe = _Loader(path, read_text, display_path, glob or go_glob, "2.3", (), root)
        probe.parsed = parsed
        probe.load_files()
        lines = infer_containerd([f.version for f in probe.files])
    views = []
    for group, group_lines in groups(lines):
        loader = _Loader(path, read_text, display_path, glob or go_glob, group, group_lines, root)
        loader.parsed = parsed
        views.append(loader.build())
    return combine_views(views, declared)
