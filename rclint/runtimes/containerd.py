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

Which of the two applies: a file whose `version` is 3 or more is a containerd 2.x file; a file
with version 1, 2 or none is read with containerd 1.x semantics (differences from 2.x go to
`RuntimeConfig.notes`). Pass `semantics="1.x"` or `"2.x"` to force one.
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
    read_text_file,
    toml_key_path,
    unknown_keys,
)
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


def _flatten(value: Any, prefix: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
    """Leaf paths of a table (empty tables count as leaves)."""
    if isinstance(value, dict) and value:
        out: List[Tuple[Any, ...]] = []
        for k, v in value.items():
            out.extend(_flatten(v, prefix + (k,)))
        return out
    return [prefix]


# --------------------------------------------------------------------------- helpers


def detect_node_root(path: str, tail: Sequence[str] = ("etc", "containerd", "config.toml")) -> Optional[str]:
    """For .../etc/containerd/config.toml, the part before `etc/` (a mirrored node tree)."""
    norm = os.path.normpath(path)
    parts = norm.replace("\\", "/").split("/")
    if len(parts) >= len(tail) and tuple(parts[-len(tail):]) == tuple(tail):
        root = "/".join(parts[: -len(tail)])
        if root == "" and norm.startswith("/"):
            return "/"
        return root or "."
    return None


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


# --------------------------------------------------------------------------- the loader


class _Loader:
    def __init__(self, path: str, read_text: Callable[[str], str], display_path: Callable[[str], str],
                 glob: Callable[[str], List[str]], semantics: Optional[str], node_root: Optional[str]):
        self.path = path
        self.read_text = read_text
        self.display = display_path
        self.glob = glob
        self.forced_semantics = semantics
        self.node_root = node_root
        self.files: List[_File] = []
        self.findings: List[Finding] = []
        self.notes: List[str] = []
        self._noted: set = set()
        self.missing: List[Tuple[str, str, str, Span]] = []
        self.semantics = "1.x"
        self.replacements: List[Tuple[str, str]] = []  # (replaced file, replacing file), containerd 1.x

    # ------------------------------------------------------------------ notes/findings

    def note(self, text: str) -> None:
        if text not in self._noted:
            self._noted.add(text)
            self.notes.append(text)

    def add(self, code: str, message: str, loc: Location, severity: Optional[Severity] = None,
            field_: Optional[str] = None, help: str = "", notes: tuple = ()) -> None:
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
                        continue
                    reason = "does not exist" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc})"
                    self.missing.append((origin[2], self.display(real), loc.path, loc.span))
                    self.note(
                        f"{loc.path}:{loc.span.line}: import {origin[2]!r} ({self.display(real)}) {reason}; "
                        "containerd refuses to start when a listed (non-glob) import is missing "
                        "(`failed to load TOML: ...: no such file or directory`)"
                    )
                    continue
            loaded.add(key)
            index = len(self.files)
            display = self.display(real)
            try:
                doc: Optional[TomlDoc] = load_toml(text)
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
            if index == 0:
                self.semantics = self.forced_semantics or ("2.x" if (version or 0) >= 3 else "1.x")
            pending.extend(self.resolve_imports(f))

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
                    continue
                real = os.path.join(self.node_root, cleaned.lstrip("/"))
            else:
                real = os.path.join(os.path.dirname(f.real), cleaned)
                if is_glob and self.semantics == "1.x":
                    self.note(
                        f"{f.display}: relative glob import {entry!r} is resolved against {f.display}'s directory "
                        "(containerd 2.x); containerd 1.x globs a relative pattern against its own working "
                        "directory (/ under systemd), so on 1.x it may match nothing"
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

    def effective_version(self) -> int:
        if self.semantics == "1.x":
            # mergo override: the last file with a non-zero version wins; 0 means 1
            version = 0
            for f in self.files:
                if f.version:
                    version = f.version
            return version or 1
        return self.main.version or 1

    def version_notes(self) -> None:
        main_v = self.main.version
        if self.main.doc is None:
            return
        if main_v is not None and main_v > 4:
            self.note(f"{self.main.display}: version = {main_v} is newer than any containerd accepts (2.3 reads up "
                      "to 4): `expected containerd config version equal to or less than ...`")
        elif main_v == 4:
            self.note(f"{self.main.display}: version = 4 needs containerd 2.3 or newer")
        elif main_v == 3:
            self.note(f"{self.main.display}: version = 3 needs containerd 2.0 or newer (containerd 1.x would treat "
                      "it as version 2 and read no CRI runtimes from io.containerd.cri.v1.runtime)")
        if self.semantics == "2.x":
            root_v = main_v or 0
            for f in self.files[1:]:
                if f.version and f.version > root_v:
                    self.note(f"{f.display}: version = {f.version} is higher than the root config's "
                              f"{root_v}; containerd 2.3+ refuses to start (`drop-in config version "
                              f"{f.version} higher than root config version {root_v}`)")
        if self.semantics == "1.x" and (main_v in (None, 0, 1)):
            self.note(f"{self.main.display}: no `version` key means version 1 (deprecated in containerd 1.x, "
                      "plugin IDs are short names like `cri`); containerd 2.x migrates it to version 3")

    # ------------------------------------------------------------------ the effective CRI section

    def read_paths(self, version: int) -> Tuple[Tuple[str, str], List[Tuple[str, str]]]:
        """(base path read for CRI runtimes, base paths ignored) for this semantics/version."""
        if self.semantics == "1.x":
            read = V1_CRI if version == 1 else V2_CRI
        else:
            read = V3_RUNTIME if version >= 3 else V2_CRI
        ignored = [p for p in (V1_CRI, V2_CRI, V3_RUNTIME) if p != read]
        return read, ignored

    def effective_cri(self, base: Tuple[str, str]) -> Tuple[Dict[str, Any], Prov, Optional[int]]:
        """The CRI runtime plugin table after merging, with provenance; and (1.x) the winning file."""
        plugin_id = base[1]
        prov: Prov = {}
        if self.semantics == "1.x":
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
                return {}, prov, None
            _walk_prov(current, (), winner, base, prov)
            return current, prov, winner
        merged: Dict[str, Any] = {}
        for f in self.files:
            table = f.plugins().get(plugin_id)
            if isinstance(table, dict):
                _deep_merge(merged, table, (), f.index, base, prov)
        return merged, prov, None

    def migrated_cri(self, version: int) -> Tuple[Dict[str, Any], Prov]:
        """containerd 2.x reading a version 1/2 file: merge, then the CRI v2 -> v3 plugin migration
        (plugins/cri/runtime/plugin.go migrateConfig: keys already in the v3 table win)."""
        src: Dict[str, Any] = {}
        src_prov: Prov = {}
        for f in self.files:
            plugins = f.plugins()
            for base in ((V1_CRI, V2_CRI) if version == 1 else (V2_CRI,)):
                table = plugins.get(base[1])
                if isinstance(table, dict):
                    _deep_merge(src, table, (), f.index, base, src_prov)
        dst, prov, _ = self.effective_cri(V3_RUNTIME)
        skip = {"sandbox_image", "registry", "image_decryption", "max_concurrent_downloads",
                "image_pull_progress_timeout", "image_pull_with_sync_fs", "stats_collect_period",
                "disable_tcp_service", "stream_server_address", "stream_server_port", "stream_idle_timeout",
                "enable_tls_streaming", "x509_key_pair_streaming"}

        def copy_prov(rel: Tuple[Any, ...]) -> None:
            for p, entry in src_prov.items():
                if p[: len(rel)] == rel:
                    prov[p] = entry

        for k, v in src.items():
            if k in skip or k == "cni":
                continue
            if k == "containerd" and isinstance(v, dict):
                target = dst.setdefault("containerd", {})
                if isinstance(target, dict):
                    for ck, cv in v.items():
                        if ck in ("snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers"):
                            continue
                        if ck not in target:
                            target[ck] = copy.deepcopy(cv)
                            copy_prov(("containerd", ck))
                continue
            if k not in dst:
                dst[k] = copy.deepcopy(v)
                copy_prov((k,))
        runtimes = dst.get("containerd", {}).get("runtimes") if isinstance(dst.get("containerd"), dict) else None
        if isinstance(runtimes, dict):
            for table in runtimes.values():
                if isinstance(table, dict) and "sandbox_mode" in table and "sandboxer" not in table:
                    table["sandboxer"] = table.pop("sandbox_mode")
        return dst, prov

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

    def check_wrong_paths(self, read: Tuple[str, str], ignored: List[Tuple[str, str]], version: int) -> None:
        read_text = toml_key_path(read)
        for f in self.files:
            if f.doc is None:
                continue
            for base in ignored:
                runtimes = f.doc.get(base + ("containerd", "runtimes"))
                if not isinstance(runtimes, dict):
                    continue
                for name in runtimes:
                    path = base + ("containerd", "runtimes", name)
                    loc = f.header(path)
                    self.add("RCL301", self._wrong_path_message(name, base, read, read_text, version, f), loc)

    def _wrong_path_message(self, name: str, base: Tuple[str, str], read: Tuple[str, str], read_text: str,
                            version: int, f: _File) -> str:
        where = toml_key_path(base)
        target = f"[{read_text}.containerd.runtimes.{toml_key_path((name,))}]"
        version_text = f"version = {version}" if self.main.version is not None else "no `version` key (version 1)"
        if self.semantics == "1.x":
            if base == V3_RUNTIME:
                why = ("`io.containerd.cri.v1.runtime` is a containerd 2.x plugin; containerd 1.x has no such plugin "
                       "and ignores the table (containerd 2.x would read it)")
            elif base == V2_CRI:
                why = ("containerd 1.x reads a version 1 file's CRI settings from the short plugin ID "
                       "[plugins.cri] and silently ignores [plugins.\"io.containerd.grpc.v1.cri\"] "
                       "(containerd 2.x migrates the file and would read it); add `version = 2` at the top")
            else:
                why = ("a version 2 file must use full plugin IDs; containerd 1.x refuses to start "
                       "(`invalid plugin key URI \"cri\" expect io.containerd.x.vx`)")
        else:
            if base == V2_CRI:
                why = ("containerd 2.0-2.2 ignore it (only an `Ignoring unknown key in TOML for plugin` warning); "
                       "containerd 2.3+ migrates it for a version 3 file but not for version = 4")
            else:
                why = "containerd 2.x has no `cri` plugin ID in a version 3+ file and ignores the table"
        return (f"runtime {name!r} is defined under [{where}], which a config with {version_text} does not read "
                f"for CRI runtimes: {why}; pods using handler {name!r} fail with `no runtime for \"{name}\" is "
                f"configured`. Move it to {target}")

    # ------------------------------------------------------------------ building the view

    def build(self) -> RuntimeConfig:
        self.load_files()
        version = self.effective_version()
        read, ignored = self.read_paths(version)
        self.version_notes()
        if self.semantics == "2.x" and version < 3:
            cri, prov = self.migrated_cri(version)
            read, ignored = V3_RUNTIME, ([] if version == 1 else [V1_CRI])
        else:
            cri, prov, _winner = self.effective_cri(read)
        self.check_wrong_paths(read, ignored, version)
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
            self.note("containerd refuses to start while a config file does not parse: "
                      + ", ".join(cfg.broken_sources))
        self.populate(cfg, cri, prov, read, version)
        cfg.findings = self.findings
        cfg.notes = self.notes
        cfg.missing_imports = self.missing
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
        ctd = cri.get("containerd") if isinstance(cri.get("containerd"), dict) else {}
        runtimes_value = ctd.get("runtimes")
        user_runtimes: Dict[str, Any] = runtimes_value if isinstance(runtimes_value, dict) else {}
        runtimes_written = isinstance(runtimes_value, dict)
        base_field = toml_key_path(base)

        # ---- handlers
        tables: Dict[str, Dict[str, Any]] = {}
        implicit: Dict[str, bool] = {}
        if sem == "2.x":
            merged_runc = copy.deepcopy(_BUILTIN_RUNC_2X)
            if isinstance(user_runtimes.get("runc"), dict):
                _deep_merge(merged_runc, user_runtimes["runc"], ("__builtin__",), -1, (), {})
                tables["runc"] = merged_runc
                implicit["runc"] = False
            else:
                tables["runc"] = merged_runc
                implicit["runc"] = True
            for name, table in user_runtimes.items():
                if name != "runc":
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
            default_name = "runc"

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
        if any(runtime_kind(h.runtime_type) == "windows" for h in handlers.values()):
            self.note("runhcs runtimes: on Windows containerd's built-in handlers are runhcs-wcow-process and "
                      "runhcs-wcow-hypervisor and the default is runhcs-wcow-process; rclint models Linux defaults")

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

    def removed(self, loc: Location, what: str, instead: str, extra: str = "") -> None:
        """RCL303; error wording (and severity) in a version 3+ file."""
        if self.semantics == "2.x":
            message = (f"{what} was removed in containerd 2.0; in a version {self.main.version or 3} config this is "
                       f"an error: containerd 2.x ignores it (`Ignoring unknown key`). {instead}")
            severity: Optional[Severity] = Severity.ERROR
        else:
            message = (f"{what} is deprecated and was removed in containerd 2.0 (containerd 2.x ignores it after "
                       f"migrating this file). {instead}")
            severity = None
        if extra:
            message += f" {extra}"
        self.add("RCL303", message, loc, severity)

    def check_plugin_level(self, cri: Dict[str, Any], ctd: Dict[str, Any], prov: Prov,
                           handlers: Dict[str, Handler], default_name: Optional[str]) -> None:
        sem = self.semantics
        for key, rel, instead in (
            ("systemd_cgroup", ("systemd_cgroup",),
             "Set `SystemdCgroup = true` in each runc runtime's `options` table instead."),
            ("no_pivot", ("containerd", "no_pivot"), "Use the runc runtime's `options.NoPivotRoot` instead."),
        ):
            table = cri if len(rel) == 1 else ctd
            if key not in table:
                continue
            value = table[key]
            if sem == "1.x" and value is not True:
                continue  # `config default` writes `= false`: harmless
            loc = self.loc(prov, rel)
            if loc is None:
                continue
            extra = ""
            if sem == "1.x" and value is True:
                default = handlers.get(default_name or "")
                if default is None or default.runtime_type != LINUX_V1:
                    extra = (f"containerd 1.x only accepts it when the default runtime is {LINUX_V1}, so the CRI "
                             f"plugin fails to load (`{key}` only works for runtime {LINUX_V1}).")
            self.removed(loc, f"plugin-level `{key}`", instead, extra)

    def check_legacy_table(self, table_key: str, table: Dict[str, Any], prov: Prov, runtime_name: str,
                           user_runtimes: Dict[str, Any]) -> None:
        rtype = table.get("runtime_type")
        if self.semantics == "1.x" and not (isinstance(rtype, str) and rtype):
            return  # the empty table `config default` writes: no effect
        loc = self.loc(prov, ("containerd", table_key), header=True)
        if loc is None:
            return
        if table_key == "default_runtime":
            instead = ("Define the runtime under `containerd.runtimes.<name>` and set `default_runtime_name`.")
            extra = ("containerd 1.x turns it into a runtime named `default` and sets "
                     "default_runtime_name = \"default\".") if self.semantics == "1.x" else ""
        else:
            instead = "Define it as `containerd.runtimes.untrusted` instead."
            extra = ""
            if self.semantics == "1.x" and "untrusted" in user_runtimes:
                extra = ("It conflicts with the `runtimes.untrusted` table: containerd 1.x fails to load the CRI "
                         "plugin (`conflicting definitions: configuration includes both `untrusted_workload_runtime` "
                         "and `runtimes[\"untrusted\"]``).")
        self.removed(loc, f"`containerd.{table_key}`", instead, extra)

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
            self.removed(key_loc(tkey), f"runtime_type = \"{rtype}\" (runtime {h.name!r})", instead)
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
        for removed_key, instead in (("runtime_engine", "Set options.BinaryName (runc) instead."),
                                     ("runtime_root", "Set options.Root (runc) instead.")):
            rk, value = _get_variant(table, removed_key, sem)
            if rk is None:
                continue
            if sem == "1.x" and not value:
                continue  # `config default` writes them empty
            extra = ""
            if sem == "1.x" and rtype != LINUX_V1:
                extra = (f"containerd 1.x rejects it for runtime_type {rtype!r}: the CRI plugin fails to load "
                         f"(`{removed_key}` only works for runtime {LINUX_V1}).")
            self.removed(key_loc(rk), f"`{removed_key}` (runtime {h.name!r})", instead, extra)
        if isinstance(h.options, dict):
            ck, cval = _get_variant(h.options, "CriuPath", sem)
            if ck is not None and (sem == "2.x" or cval):
                self.removed(key_loc(f"options.{ck}"), f"`options.CriuPath` (runtime {h.name!r})",
                             "Install criu in containerd's PATH instead.")

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
    node_root: Optional[str] = "auto",
) -> RuntimeConfig:
    """Load a containerd config and its imports as containerd would, with findings.

    path: the main config file (a real path read through `read_text`).
    read_text: returns a file's text; raises OSError (FileNotFoundError) when it cannot.
      An unreadable main file propagates; an unreadable import becomes a note and an entry
      in `missing_imports`.
    display_path: turns real paths into the paths findings/handlers/sources carry.
    glob: expands an import pattern containing `*` (default: Go filepath.Glob semantics on
      the local filesystem).
    semantics: "1.x" or "2.x" to force containerd 1.x/2.x rules (default: by the main file's
      version: 3+ is 2.x).
    node_root: directory that stands for `/` of the node when following absolute imports;
      "auto" detects `<root>/etc/containerd/config.toml`; None never follows absolute imports.
    """
    if semantics not in (None, "1.x", "2.x"):
        raise ValueError("semantics must be None, '1.x' or '2.x'")
    root = detect_node_root(path) if node_root == "auto" else node_root
    loader = _Loader(path, read_text, display_path, glob or go_glob, semantics, root)
    return loader.build()
