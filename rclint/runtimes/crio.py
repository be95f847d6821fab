"""CRI-O config loading (crio.conf plus crio.conf.d drop-ins) and its RCL3xx checks.

What CRI-O does (cri-o/cri-o pkg/config/config.go `UpdateFromDropInFile`, vendored
BurntSushi/toml decode.go `unifyMap`/`unifyStruct`):

* crio.conf first, then every file under crio.conf.d in lexical order (filepath.Walk: recursive,
  no suffix filter); each file is decoded over the configuration built so far, so later files
  win for every scalar.
* `[crio.runtime.runtimes.NAME]`: the handler map is kept, so handlers from earlier files stay,
  but BurntSushi/toml builds a fresh value for every map key it decodes: a handler table
  repeated in a later file replaces the earlier table entirely (keys it does not repeat are
  lost). Struct fields match case-insensitively; unknown keys are ignored silently.
* The built-in default handler (`crun` from CRI-O 1.31, `runc` before; pkg/config/config_linux.go)
  is in the map before any file is read, so it always exists. `default_runtime` naming a handler
  with no table stops CRI-O (`default_runtime set to "X", but no runtime entry table
  [crio.runtime.runtimes.X] was found`); empty means the built-in name.
* runtime_type: "" or "oci" (conmon), "vm" (containerd shim v2, Kata), "pod" (conmon-rs).
  An empty runtime_path means an executable named like the handler, found in $PATH.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from rclint.fspolicy import Refused
from rclint.model import Finding, Span
from rclint.runtimes.base import (
    CgroupSetting,
    Handler,
    Location,
    RuntimeConfig,
    did_you_mean,
    finding,
    suggest,
    is_dns_label,
    known_keys,
    read_text_file,
    toml_key_path,
    toml_literal,
    toml_type,
    type_errors,
    type_finding,
    unknown_keys,
)
from rclint.runtimes.containerd import detect_node_root
from rclint.tomlsource import TomlDoc, TomlSyntaxError, load_toml

CRIO_RUNTIME_SCHEMA = "crio-runtime.schema.json"
CRIO_RUNTIME_CONFIG_SCHEMA = "crio-runtime-config.schema.json"
RUNTIMES = ("crio", "runtime", "runtimes")
VM_BINARY = re.compile(r"^containerd-shim-[a-zA-Z0-9\-\+]+$")
CRIO_TYPES = ("oci", "vm", "pod")
_RUNC_LIKE = ("runc", "crun", "youki", "runj", "ocijail", "nvidia-container-runtime", "krun", "sysbox-runc")


def _identity(p: str) -> str:
    return p


def find_crio_dropins(directory: str) -> List[str]:
    """Files CRI-O reads from a crio.conf.d directory: all regular files, recursively, in
    filepath.Walk order (lexical per directory, depth first), each file and directory once,
    never leaving the directory (see `rclint.fspolicy.FsPolicy.dropins`)."""
    from rclint.fspolicy import FsPolicy

    real = os.path.realpath(directory)
    try:
        return FsPolicy([directory]).dropins(directory, real)[0]
    except OSError:
        return []


def _version_tuple(crio_version: Optional[str]) -> Tuple[int, int]:
    """(major, minor) of a declared CRI-O version; current CRI-O when none is declared."""
    m = re.match(r"v?(\d+)\.(\d+)", (crio_version or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else (1, 99)


def builtin_default_runtime(crio_version: Optional[str]) -> str:
    """CRI-O's built-in default handler: crun from 1.31.0, runc before (Linux)."""
    if crio_version:
        m = re.match(r"v?(\d+)\.(\d+)", crio_version.strip())
        if m and (int(m.group(1)), int(m.group(2))) < (1, 31):
            return "runc"
    return "crun"


def crio_kind(runtime_type: str, binary: Optional[str]) -> str:
    base = posixpath.basename((binary or "").replace("\\", "/")).lower()
    if runtime_type == "vm":
        return "gvisor" if "runsc" in base else "vm"
    if runtime_type not in ("oci", "pod"):
        return "unknown"
    if not base:
        return "unknown"
    if "runsc" in base or "gvisor" in base:
        return "gvisor"
    if "kata" in base:
        return "vm"
    if "wasm" in base:
        return "wasm"
    if base in _RUNC_LIKE or base.startswith(("runc", "crun", "youki")) or base.endswith("-runc"):
        return "runc"
    return "other"


def _ci_get(table: Dict[str, Any], name: str) -> Tuple[Optional[str], Any]:
    """BurntSushi/toml matches struct fields exactly first, then case-insensitively."""
    if name in table:
        return name, table[name]
    for k, v in table.items():
        if k.lower() == name.lower():
            return k, v
    return None, None


@dataclass
class _File:
    """One file of a CRI-O config: crio.conf or a drop-in."""

    index: int
    real: str
    display: str
    doc: TomlDoc

    def location(self, path: Tuple[Any, ...], header: bool = False) -> Location:
        if header:
            span = self.doc.table_span(path) or self.doc.key_span(path) or self.doc.span(path)
        else:
            span = self.doc.key_span(path) or self.doc.table_span(path) or self.doc.span(path)
        return Location(self.display, span, toml_key_path(path))


@dataclass
class _Entry:
    """One runtime table and the file it is written in."""

    name: str
    table: Dict[str, Any]
    file: Optional[_File]
    rel: Tuple[str, ...] = ()  # the table's path as written in its file


def load_crio(
    main_path: Optional[str],
    dropin_paths: List[str],
    read_text: Callable[[str], str] = read_text_file,
    display_path: Callable[[str], str] = _identity,
    *,
    crio_version: Optional[str] = None,
) -> RuntimeConfig:
    """Load crio.conf (may be None) and its drop-ins (any order: they are sorted lexically).

    crio_version: e.g. "1.30" to model an older CRI-O's built-in default handler (runc before
    1.31); default is current CRI-O (crun).
    """
    notes: List[str] = []
    findings: List[Finding] = []

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    ordered = sorted(dropin_paths, key=lambda p: os.path.normpath(p).replace("\\", "/").split("/"))
    paths: List[Tuple[str, bool]] = ([(main_path, True)] if main_path else []) + [(p, False) for p in ordered]
    if not paths:
        raise ValueError("load_crio needs crio.conf or at least one drop-in")

    files: List[_File] = []
    sources: List[str] = []
    broken: List[str] = []
    for real, is_main in paths:
        display = display_path(real)
        if is_main:
            text = read_text(real)  # the main file: errors are the caller's (RCL003)
        else:
            try:
                text = read_text(real)
            except Exception as exc:  # noqa: BLE001 - an unreadable drop-in must not stop the run
                if isinstance(exc, Refused):  # outside the tree, or not a regular file
                    findings.append(exc.finding("drop-in", display))
                    continue
                note(f"{display}: drop-in cannot be read ({exc}); CRI-O refuses to start")
                continue
        sources.append(display)
        try:
            doc = load_toml(text)
        except TomlSyntaxError as exc:
            findings.append(finding("RCL002", f"invalid TOML: {exc.message}; CRI-O refuses to start "
                                    "(`unable to decode configuration ...`)", display, exc.span))
            broken.append(display)
            continue
        files.append(_File(len(files), real, display, doc))

    builtin = builtin_default_runtime(crio_version)
    if crio_version is None:
        note(f"the built-in default handler is modelled as {builtin!r} (CRI-O 1.31+); CRI-O 1.30 and older "
             "default to 'runc'")

    # ---- merge, in order
    entries: Dict[str, _Entry] = {builtin: _Entry(builtin, {"runtime_type": "oci",
                                                           "runtime_root": f"/run/{builtin}"}, None)}
    default_value: Optional[Tuple[Any, _File, str]] = None
    cgroup_value: Optional[Tuple[Any, _File, str]] = None
    conmon_cgroup: Optional[Tuple[Any, _File, str]] = None
    for f in files:
        crio = f.doc.value.get("crio")
        if not isinstance(crio, dict):
            continue
        for misplaced in ("runtimes",):
            mk, mv = _ci_get(crio, misplaced)
            if isinstance(mv, dict) and mv:
                note(f"{f.display}: CRI-O ignores [crio.{mk}.*] ({', '.join(mv)}); runtime handlers go under "
                     "[crio.runtime.runtimes.NAME]")
        rk, runtime = _ci_get(crio, "runtime")
        if not isinstance(runtime, dict):
            continue
        findings.extend(_type_findings(f, ("crio", rk or "runtime"), runtime))
        dk, dv = _ci_get(runtime, "default_runtime")
        if dk is not None:
            default_value = (dv, f, dk)
        ck, cv = _ci_get(runtime, "cgroup_manager")
        if ck is not None:
            cgroup_value = (cv, f, ck)
        gk, gv = _ci_get(runtime, "conmon_cgroup")
        if gk is not None:
            conmon_cgroup = (gv, f, gk)
        if "runtime" in runtime and isinstance(runtime.get("runtime"), str):
            note(f"{f.display}: the flat [crio.runtime] `runtime = {runtime['runtime']!r}` key is from old CRI-O "
                 "releases; current CRI-O ignores it and uses [crio.runtime.runtimes.NAME] tables")
        tk, tables = _ci_get(runtime, "runtimes")
        if not isinstance(tables, dict):
            continue
        for name, table in tables.items():
            table = table if isinstance(table, dict) else {}
            previous = entries.get(name)
            if previous is not None and previous.file is not None:
                lost = [k for k in previous.table if k not in table]
                rel = ("crio", rk or "runtime", tk or "runtimes", name)
                if lost:
                    loc = f.location(rel, header=True)
                    findings.append(Finding(
                        "RCL317", f"handler {name!r} is rebuilt from this table alone; {len(lost)} key"
                        f"{'s' if len(lost) != 1 else ''} set in {posixpath.basename(previous.file.display)} are lost",
                        loc.path, loc.span, field=loc.field,
                        help="Repeat the handler's other keys here: " + ", ".join(
                            f"{k} = {toml_literal(previous.table[k])}" for k in lost[:4]) + (
                            ", ..." if len(lost) > 4 else ""),
                        notes=(f"lost from {previous.file.display}: {', '.join(lost)}",
                               "CRI-O decodes each drop-in over the config so far with BurntSushi/toml, which builds "
                               "a fresh value for every map entry it decodes (UpdateFromDropInFile; "
                               "cri-o/cri-o#8307): a repeated [crio.runtime.runtimes.NAME] table replaces the earlier "
                               "one, it is not merged"),
                    ))
            entries[name] = _Entry(name, table, f, ("crio", rk or "runtime", tk or "runtimes", name))

    # ---- default handler
    default_name = builtin
    default_loc: Optional[Location] = None
    default_explicit = False
    if default_value is not None:
        value, f, key = default_value
        loc = f.location(("crio", "runtime", key))
        if isinstance(value, str) and value:
            default_name = value
            default_loc = loc
            default_explicit = True
        elif isinstance(value, str):
            default_loc = loc  # "" -> built-in name
    cgroup_manager = "systemd"
    cgroup_loc: Optional[Location] = None
    cgroup_explicit = False
    if cgroup_value is not None:
        value, f, key = cgroup_value
        cgroup_loc = f.location(("crio", "runtime", key))
        if isinstance(value, str) and value:
            cgroup_manager = value
            cgroup_explicit = True
        if cgroup_manager not in ("systemd", "cgroupfs"):
            note(f"{cgroup_loc.path}:{cgroup_loc.span.line}: cgroup_manager = {value!r} is invalid; CRI-O refuses "
                 f"to start (`invalid cgroup manager: {value}`)")

    main_display = sources[0] if sources else display_path(paths[0][0])

    # ---- handlers
    handlers: Dict[str, Handler] = {}
    for name, entry in entries.items():
        handlers[name] = _make_handler(entry, main_display, entries.get(default_name), default_name,
                                       cgroup_manager)

    # ---- checks: CRI-O validates every handler (ValidateRuntimes); since 1.21 a non-default one that
    # fails is dropped (`Runtime handler "X" is being ignored due to: ...`), a failing default stops it
    dropped: Dict[str, Tuple[str, str, Span]] = {}
    failures: List[str] = []
    lenient = _version_tuple(crio_version) >= (1, 21)  # before 1.21 any invalid handler stopped CRI-O
    global_conmon = conmon_cgroup[0] if conmon_cgroup and isinstance(conmon_cgroup[0], str) else None
    if conmon_cgroup is not None and isinstance(conmon_cgroup[0], str) and conmon_cgroup[0]:
        value, f, key = conmon_cgroup
        error = _monitor_cgroup_error(value, cgroup_manager)
        if error:
            loc = f.location(("crio", "runtime", key))
            failures.append(error)
            findings.append(Finding(
                "RCL305", f"conmon_cgroup = {value!r} does not fit cgroup_manager {cgroup_manager!r}; CRI-O refuses "
                "to start", loc.path, loc.span, field=loc.field,
                help='Set conmon_cgroup = "pod"' + (' (or a "*.slice")' if cgroup_manager == "systemd" else ""),
                notes=(f"`{error}`", "conmon_cgroup (deprecated) overrides every handler's monitor_cgroup")))
    for name, h in list(handlers.items()):
        if h.implicit:
            continue
        is_default = name == default_name
        handler_findings, reasons = _check_handler(h, is_default, cgroup_manager, global_conmon, lenient)
        findings.extend(handler_findings)
        if reasons and (is_default or not lenient):
            failures.extend(reasons)
        elif reasons:
            dropped[name] = (reasons[0], h.path, h.span)
            del handlers[name]
            note(f"{h.path}:{h.span.line}: CRI-O ignores handler {name!r} (`Runtime handler \"{name}\" is being "
                 f"ignored due to: {reasons[0]}`)")
    if default_explicit and default_name not in handlers and default_loc is not None:
        guess = suggest(default_name, handlers)
        findings.append(finding(
            "RCL302",
            f"default_runtime = {default_name!r} names no [crio.runtime.runtimes.{default_name}] table",
            default_loc.path, default_loc.span, default_loc.field,
            help=f"did you mean {guess!r}?" if guess else f"add a [crio.runtime.runtimes.{default_name}] table",
            notes=(f"CRI-O refuses to start: default_runtime set to \"{default_name}\", but no runtime entry table "
                   f"[crio.runtime.runtimes.{default_name}] was found",
                   f"handlers: {', '.join(sorted(handlers))}"),
        ))

    cfg = RuntimeConfig(
        kind="crio",
        path=main_display,
        sources=sources,
        config_version=None,
        default_handler=default_name,
        default_explicit=default_explicit,
        handlers=handlers,
        findings=findings,
        node_root=detect_node_root(main_path, ("etc", "crio", "crio.conf")) if main_path else None,
        notes=notes,
        semantics="crio",
    )
    cfg.broken_sources = broken
    cfg.dropped_handlers = dropped
    cfg.failures = failures
    cfg.versions = (crio_version,) if crio_version else ()
    cfg.versions_declared = crio_version is not None
    if broken:
        note("CRI-O refuses to start while a config file does not parse: " + ", ".join(broken))
    if default_loc is not None:
        cfg.default_span, cfg.default_path, cfg.default_field = default_loc.span, default_loc.path, default_loc.field
    else:
        cfg.default_span, cfg.default_path = Span(1, 1), main_display
        cfg.default_field = "crio.runtime.default_runtime"
    cfg.cgroup_manager = cgroup_manager
    if cgroup_loc is not None:
        cfg.cgroup_manager_span, cfg.cgroup_manager_path = cgroup_loc.span, cgroup_loc.path
    cfg.cgroup_settings = [CgroupSetting(
        driver=cgroup_manager if cgroup_manager in ("systemd", "cgroupfs") else cgroup_manager,
        explicit=cgroup_explicit,
        path=cgroup_loc.path if cgroup_loc else main_display,
        span=cgroup_loc.span if cgroup_loc else Span(1, 1),
        field=cgroup_loc.field if cgroup_loc else "crio.runtime.cgroup_manager",
        handler=None,
    )]
    return cfg


def _make_handler(entry: _Entry, main_display: str, default_entry: Optional[_Entry], default_name: str,
                  cgroup_manager: str) -> Handler:
    table = entry.table
    f = entry.file
    rel = entry.rel or RUNTIMES + (entry.name,)
    if f is not None:
        header = f.location(rel, header=True)
        locations = {}
        for key in table:
            locations[key] = f.location(rel + (key,))
    else:
        header = Location(main_display, Span(1, 1), toml_key_path(rel))
        locations = {}
    _, rtype = _ci_get(table, "runtime_type")
    _, rpath = _ci_get(table, "runtime_path")
    _, inherit = _ci_get(table, "inherit_default_runtime")
    _, pwhd = _ci_get(table, "privileged_without_host_devices")
    rtype = rtype if isinstance(rtype, str) else ""
    rpath = rpath if isinstance(rpath, str) else ""
    binary = rpath or entry.name
    if inherit is True and default_entry is not None and default_entry is not entry:
        _, drtype = _ci_get(default_entry.table, "runtime_type")
        _, drpath = _ci_get(default_entry.table, "runtime_path")
        rtype = drtype if isinstance(drtype, str) else ""
        rpath = drpath if isinstance(drpath, str) else ""
        binary = rpath or default_name
    effective_type = rtype or "oci"
    kind = crio_kind(effective_type, binary)
    if kind == "vm" and effective_type != "vm" and not rpath:
        kind = "unknown"  # an OCI runtime looked up by the handler's name in $PATH, not the Kata shim
    return Handler(
        name=entry.name,
        runtime_type=rtype or None,
        runtime_path=rpath or None,
        kind=kind,
        path=header.path,
        span=header.span,
        options={},
        privileged_without_host_devices=pwhd if isinstance(pwhd, bool) else None,
        table=table,
        implicit=f is None,
        systemd_cgroup=(cgroup_manager == "systemd") if cgroup_manager in ("systemd", "cgroupfs") else None,
        field=header.field,
        locations=locations,
        binary=binary,
        crio_runtime_type=effective_type,
    )


def _monitor_cgroup_error(value: str, cgroup_manager: str) -> Optional[str]:
    """CRI-O's check of a conmon cgroup against the cgroup manager (pkg/config/config.go)."""
    if cgroup_manager == "cgroupfs":
        if value not in ("pod", "", "system.slice"):  # the default system.slice is reset to "" under cgroupfs
            return f"cgroupfs manager conmon cgroup should be 'pod' or empty, but got: '{value}'"
        return None
    if cgroup_manager == "systemd" and value and value != "pod" and not value.endswith(".slice"):
        return "conmon cgroup should be 'pod' or a systemd slice"
    return None


def _check_handler(h: Handler, is_default: bool = False, cgroup_manager: str = "systemd",
                   global_conmon: Optional[str] = None, lenient: bool = True) -> Tuple[List[Finding], List[str]]:
    """Findings for one handler, and the CRI-O validation errors that make CRI-O drop it (or stop,
    for the default handler)."""
    out: List[Finding] = []
    reasons: List[str] = []
    header = Location(h.path, h.span, h.field)

    def at(key: Optional[str]) -> Location:
        if key and key in h.locations:
            return h.locations[key]
        return header

    def add(code: str, message: str, loc: Location) -> None:
        out.append(finding(code, message, loc.path, loc.span, loc.field))

    def reject(loc: Location, what: str, error: str, help_: str, fatal: bool = False) -> None:
        reasons.append(error)
        if is_default or fatal or not lenient:
            role = "default handler" if is_default else "handler"
            message = f"{role} {h.name!r}: {what}; CRI-O refuses to start"
            notes: Tuple[str, ...] = (f"`{error}`",)
            if not (is_default or fatal):
                notes += ("CRI-O before 1.21 refuses to start on any invalid handler (cri-o/cri-o#4621); 1.21 and "
                          "later ignore a non-default one",)
        else:
            message = f"handler {h.name!r}: {what}; CRI-O ignores the handler"
            notes = (f'CRI-O logs `Runtime handler "{h.name}" is being ignored due to: {error}`; pods using it fail '
                     f"with `failed to find runtime handler {h.name} from runtime list map[...]`",
                     "CRI-O 1.21 and later drop a handler that fails validation (ValidateRuntimes); older releases "
                     "refuse to start")
        out.append(Finding("RCL305", message, loc.path, loc.span, field=loc.field, help=help_, notes=notes))

    if not is_dns_label(h.name):
        fixed = re.sub(r"[^a-z0-9-]+", "-", h.name.lower()).strip("-")[:63] or "runtime"
        add("RCL306", f"runtime handler name {h.name!r} is not a valid DNS label; no RuntimeClass `handler` can "
                      f"select it (lowercase letters, digits and '-', at most 63 characters); rename it to "
                      f"{fixed!r}", header)

    table = h.table
    tk, rtype = _ci_get(table, "runtime_type")
    rtype_s = rtype if isinstance(rtype, str) else ""
    effective = rtype_s or "oci"
    if tk is not None and isinstance(rtype, str) and rtype and rtype not in CRIO_TYPES:
        guess = suggest(rtype, CRIO_TYPES)
        reject(at(tk), f"runtime_type {rtype!r} is not oci, vm or pod",
               f'invalid `runtime_type` "{rtype}" for runtime "{h.name}"',
               f'Set runtime_type = "{guess}"' if guess else 'Set runtime_type = "oci", "vm" or "pod"')
    ck, cpath = _ci_get(table, "runtime_config_path")
    if isinstance(cpath, str) and cpath and effective != "vm":
        reject(at(ck), 'runtime_config_path needs runtime_type = "vm"',
               "runtime_config_path can only be used with the 'vm' runtime type",
               'Set runtime_type = "vm" (with a containerd-shim-* runtime_path) or remove runtime_config_path')
    if effective == "vm":
        pk, _ = _ci_get(table, "runtime_path")
        base = posixpath.basename((h.binary or "").replace("\\", "/"))
        if not VM_BINARY.match(base):
            reject(at(pk) if pk else header, f"vm runtime_path {base!r} is not a containerd-shim-* binary",
                   f"invalid runtime_path for runtime '{h.name}': containerd binary naming pattern is not followed",
                   'Set runtime_path to the shim v2 binary, e.g. "/usr/bin/containerd-shim-kata-v2"')
    nk, nsl = _ci_get(table, "no_sync_log")
    if nsl is True and effective != "oci":
        reject(at(nk), 'no_sync_log = true needs runtime_type = "oci"',
               f"no_sync_log is only allowed with runtime type 'oci', runtime type is '{effective}'",
               "Remove no_sync_log")
    mk, mcg = _ci_get(table, "monitor_cgroup")
    if effective == "oci" and not global_conmon and isinstance(mcg, str) and mcg:
        error = _monitor_cgroup_error(mcg, cgroup_manager)
        if error:
            reject(at(mk), f"monitor_cgroup {mcg!r} does not fit cgroup_manager {cgroup_manager!r}", error,
                   'Set monitor_cgroup = "pod"' + (' (or a "*.slice")' if cgroup_manager == "systemd" else ""),
                   fatal=True)

    known = known_keys(CRIO_RUNTIME_SCHEMA)
    lowered = {k.lower() for k in known}
    for key in unknown_keys(CRIO_RUNTIME_SCHEMA, table):
        if key.lower() in lowered:
            continue  # BurntSushi/toml matches field names case-insensitively
        add("RCL307", f"handler {h.name!r}: unknown key `{key}`; CRI-O ignores it silently"
                      f"{did_you_mean(key, known)}", at(key))
    return out, reasons


_CRIO_GO = {"boolean": "boolean", "string": "string", "integer": "integer", "array": "slice", "object": "map"}


def _type_findings(f: _File, runtime_rel: Tuple[str, ...], runtime: Dict[str, Any]) -> List[Finding]:
    """RCL315 for [crio.runtime] keys and handler tables as written in one file: CRI-O refuses to
    start (`toml: line N (last key "..."): incompatible types: ...`)."""
    out: List[Finding] = []
    checks: List[Tuple[Tuple[Any, ...], str, str, Any]] = [
        (runtime_rel, CRIO_RUNTIME_CONFIG_SCHEMA, "[crio.runtime]",
         {k: v for k, v in runtime.items() if k != "runtimes"})]
    tk, tables = _ci_get(runtime, "runtimes")
    if isinstance(tables, dict):
        for name, table in tables.items():
            if isinstance(table, dict):
                checks.append((runtime_rel + (tk or "runtimes", name), CRIO_RUNTIME_SCHEMA, f"handler {name!r}", table))
    for rel, schema, what, table in checks:
        for path, expected, value in type_errors(schema, table):
            full = rel + path
            span = f.doc.value_span(full) or f.doc.key_span(full)
            if span is None:
                continue
            key = toml_key_path(path)
            error = (f'toml: line {span.line} (last key "{".".join(str(p) for p in full)}"): incompatible types: '
                     f"TOML value has type {toml_type(value)}; destination has type {_CRIO_GO.get(expected, expected)}")
            out.append(type_finding(Location(f.display, span, toml_key_path(full)), what, key, value, expected,
                                    "CRI-O", (f"CRI-O refuses to start: `{error}`",)))
    return out
