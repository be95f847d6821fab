"""The node-side data model shared by the containerd and CRI-O loaders.

A `RuntimeConfig` is what one node's container runtime would run with after it merged its
main config file with its imports (containerd) or drop-ins (CRI-O): the runtime handlers a
RuntimeClass can name, the default handler, the cgroup driver, and the findings (RCL002,
RCL301-RCL307, RCL309, RCL310) about the files. Every position points into the file where the
key or table is written, which may be an imported file.

Findings leave `severity` None (the engine fills it from the catalogue) with one exception:
RCL303 in a containerd file with `version` 3 or more carries `severity=Severity.ERROR` (and
says "in a version 3 config this is an error"): the catalogue default is warning, and the
engine should keep a severity a loader set unless the user's configuration overrides it.

Implicit handlers (built into the runtime, written in no file: containerd's `runc`, CRI-O's
`crun`/`runc`) have `implicit=True`, `path` = the main config file and `span` = 1:1.
`Handler.table` is the effective table (for containerd 2.x's `runc`, merged over the built-in
defaults).
"""

from __future__ import annotations

import functools
import json
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass, field as dc_field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from rclint.model import Finding, Severity, Span

HANDLER_KINDS = ("runc", "vm", "gvisor", "windows", "wasm", "other", "unknown")

# RuntimeClass.handler must be an RFC 1123 DNS label (k8s.io/api node/v1 validation).
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_LABEL_MAX = 63

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def is_dns_label(name: str) -> bool:
    return len(name) <= DNS_LABEL_MAX and DNS_LABEL.fullmatch(name) is not None


def toml_key_path(parts: Sequence[Any]) -> str:
    """Render a TOML key path the way a user writes it: plugins."io.containerd.grpc.v1.cri".x"""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = str(part)
        rendered = text if _BARE.fullmatch(text) else json.dumps(text, ensure_ascii=False)
        out += ("." if out else "") + rendered
    return out


def is_absolute_path(value: str) -> bool:
    """Absolute on the node: POSIX `/...`, or a Windows drive/UNC path."""
    return value.startswith("/") or bool(re.match(r"^[A-Za-z]:[\\/]", value)) or value.startswith("\\\\")


@dataclass
class Location:
    """Where a value is written: the file (display path) and the span of the key or table."""

    path: str
    span: Span
    field: str = ""


@dataclass
class Handler:
    """One runtime handler (a name a RuntimeClass `handler` can select)."""

    name: str
    runtime_type: Optional[str]
    runtime_path: Optional[str]
    kind: str
    path: str
    span: Span
    options: Dict[str, Any] = dc_field(default_factory=dict)
    privileged_without_host_devices: Optional[bool] = None
    table: Dict[str, Any] = dc_field(default_factory=dict)
    implicit: bool = False
    systemd_cgroup: Optional[bool] = None
    # dotted TOML key path of the runtime table, e.g. plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata
    field: str = ""
    # key (relative to the runtime table; options keys as "options.SystemdCgroup") -> where it is written
    locations: Dict[str, Location] = dc_field(default_factory=dict)
    # the executable the runtime resolves to: containerd's shim binary (from runtime_type or
    # runtime_path), CRI-O's runtime_path or, when empty, the handler name looked up in $PATH
    binary: Optional[str] = None
    # "vm" | "oci" | "pod" for CRI-O; None for containerd
    crio_runtime_type: Optional[str] = None
    # the runtime release lines on which this handler exists (containerd "1.6" ... "2.3"; CRI-O
    # its version); empty when the config's views were not combined
    versions: Tuple[str, ...] = ()

    def key_span(self, key: str) -> Span:
        """Span of `key` (e.g. "runtime_type", "options.SystemdCgroup"), else the table header."""
        loc = self.locations.get(key)
        return loc.span if loc else self.span

    def key_path(self, key: str) -> str:
        """File in which `key` is written (imports/drop-ins can differ from the table's file)."""
        loc = self.locations.get(key)
        return loc.path if loc else self.path

    def key_field(self, key: str) -> str:
        loc = self.locations.get(key)
        if loc and loc.field:
            return loc.field
        return f"{self.field}.{key}" if self.field else key

    @property
    def key_spans(self) -> Dict[str, Span]:
        return {k: v.span for k, v in self.locations.items()}


@dataclass
class CgroupSetting:
    """One cgroup-driver decision: a containerd runc handler's SystemdCgroup, or CRI-O's cgroup_manager."""

    driver: str  # "systemd" | "cgroupfs"
    explicit: bool  # written in a file (False: the runtime's built-in default)
    path: str
    span: Span
    field: str
    handler: Optional[str] = None  # containerd handler name; None for CRI-O's global setting


@dataclass
class RuntimeConfig:
    """One node's runtime config after merging its imports or drop-ins."""

    kind: str  # "containerd" | "crio"
    path: str  # display path of the main file (CRI-O without crio.conf: the first drop-in)
    sources: List[str] = dc_field(default_factory=list)
    config_version: Optional[int] = None
    default_handler: Optional[str] = None
    default_span: Optional[Span] = None
    default_path: Optional[str] = None
    default_field: str = ""
    default_explicit: bool = False
    handlers: Dict[str, Handler] = dc_field(default_factory=dict)
    findings: List[Finding] = dc_field(default_factory=list)
    node_root: Optional[str] = None
    notes: List[str] = dc_field(default_factory=list)
    # "containerd-1.x", "containerd-2.x" or "crio": whose loading rules produced this view
    semantics: str = ""
    # cgroup driver inputs (RCL308 lives elsewhere): containerd -> one entry per runc-type
    # handler (effective SystemdCgroup); CRI-O -> one entry for [crio.runtime] cgroup_manager
    cgroup_settings: List[CgroupSetting] = dc_field(default_factory=list)
    # CRI-O only: the cgroup_manager value ("systemd" default) and where it is written
    cgroup_manager: Optional[str] = None
    cgroup_manager_span: Optional[Span] = None
    cgroup_manager_path: Optional[str] = None
    # containerd imports that were listed but could not be loaded: (import text, resolved, file, span)
    missing_imports: List[Tuple[str, str, str, Span]] = dc_field(default_factory=list)
    # files that failed to parse (RCL002 was emitted for each)
    broken_sources: List[str] = dc_field(default_factory=list)
    # how the main file was recognised as a node runtime config (rclint.classify)
    recognised: str = ""
    # why the handler set is unknown (an import that could not be read, a template), else None
    handlers_unknown: Optional[str] = None
    # the runtime versions judged: containerd release lines ("1.6" ... "2.3", see
    # rclint.runtimes.versions) or the CRI-O version; declared in the configuration or inferred
    versions: Tuple[str, ...] = ()
    versions_declared: bool = False
    # containerd: one view per loader model (1.x, 2.0-2.2, 2.3+), each with its own versions,
    # handlers, default and failures; this config combines them
    views: List["RuntimeConfig"] = dc_field(default_factory=list)
    # why containerd's CRI plugin (or containerd, or CRI-O) would not start with this view
    failures: List[str] = dc_field(default_factory=list)
    # CRI-O: handlers it drops because they fail validation: name -> (CRI-O's error, file, span)
    dropped_handlers: Dict[str, Tuple[str, str, Span]] = dc_field(default_factory=dict)

    def all_views(self) -> List["RuntimeConfig"]:
        return self.views or [self]

    # ------------------------------------------------------------ conveniences

    def handler_names(self) -> List[str]:
        return list(self.handlers)

    @property
    def cgroup_driver(self) -> Optional[str]:
        setting = self.cgroup_driver_setting
        return setting.driver if setting else None

    @property
    def cgroup_driver_setting(self) -> Optional[CgroupSetting]:
        """The setting that decides the node's driver.

        containerd (as its 2.x RuntimeConfig RPC decides it): the default handler if it is
        runc-type, else the first runc-type handler by name; None when no handler is runc-type
        (then the host decides). CRI-O: cgroup_manager.
        """
        if not self.cgroup_settings:
            return None
        if self.kind == "crio":
            return self.cgroup_settings[0]
        by_handler = {s.handler: s for s in self.cgroup_settings}
        if self.default_handler in by_handler:
            return by_handler[self.default_handler]
        return by_handler[sorted(h for h in by_handler if h is not None)[0]]

    def runc_handlers_disagree(self) -> bool:
        return len({s.driver for s in self.cgroup_settings if s.handler is not None}) > 1


# --------------------------------------------------------------------------- findings


# Codes whose checks write their parts themselves (the rest are split by rclint.parts).
_OWN_PARTS = frozenset({"RCL301", "RCL303"})


def finding(code: str, message: str, path: str, span: Span, field_: str = "",
            severity: Optional[Severity] = None, help: str = "", notes: tuple = ()) -> Finding:
    if code not in _OWN_PARTS and not help and not notes:
        from rclint.parts import split

        message, help, notes = split(message)
    return Finding(code=code, message=message, path=path, span=span, field=field_, severity=severity,
                   help=help, notes=tuple(notes))


# --------------------------------------------------------------------------- schemas


def load_schema(name: str) -> Dict[str, Any]:
    from rclint.catalog import read_schema  # the one place schemas are located (wheel or checkout)

    return read_schema(name)


@functools.lru_cache(maxsize=None)
def _schema(name: str) -> Dict[str, Any]:
    return load_schema(name)


def _surely_valid(name: str, instance: Any) -> bool:
    """Whether `instance` certainly satisfies the schema, known without jsonschema: most
    runtime tables do, and importing jsonschema costs about 30 ms and 5 MiB."""
    from rclint.kube.quickschema import surely_valid

    return surely_valid(_schema(name), instance)


@functools.lru_cache(maxsize=None)
def _validator(name: str):
    import jsonschema  # lazy: keeps start-up cheap

    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def unknown_keys(schema_name: str, instance: Dict[str, Any]) -> List[str]:
    """Keys of `instance` that the (additionalProperties: false) schema does not allow, in order."""
    if _surely_valid(schema_name, instance):
        return []
    validator = _validator(schema_name)
    unknown: List[str] = []
    props = set(validator.schema.get("properties", {}))
    for error in validator.iter_errors(instance):
        if error.validator == "additionalProperties" and not error.path:
            for key in instance:
                if key not in props and key not in unknown:
                    unknown.append(key)
    return [k for k in instance if k in unknown]


def type_errors(schema_name: str, instance: Any) -> List[Tuple[Tuple[Any, ...], str, Any]]:
    """(path, expected JSON Schema type, value) for every value of `instance` whose type the schema
    does not allow (unknown keys are another matter: see `unknown_keys`)."""
    if _surely_valid(schema_name, instance):
        return []
    validator = _validator(schema_name)
    out: List[Tuple[Tuple[Any, ...], str, Any]] = []
    for error in validator.iter_errors(instance):
        if error.validator != "type":
            continue
        expected = error.validator_value
        expected = expected if isinstance(expected, str) else " or ".join(expected)
        out.append((tuple(error.absolute_path), expected, error.instance))
    return sorted(out, key=lambda e: [str(p) for p in e[0]])


def toml_type(value: Any) -> str:
    """The TOML name of a decoded value's type."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "datetime"


def toml_literal(value: Any) -> str:
    """A TOML rendering of a scalar for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return str(value)
    return toml_type(value)


def fixed_literal(value: Any, expected: str) -> Optional[str]:
    """The value written with the type the runtime expects, when the intent is clear."""
    if expected == "boolean" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    if expected == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return value.strip()
    if expected == "string" and isinstance(value, (bool, int, float)) and not isinstance(value, dict):
        return json.dumps(toml_literal(value))
    return None


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def type_finding(loc: "Location", what: str, key: str, value: Any, expected: str, needs: str,
                 notes: Tuple[str, ...]) -> Finding:
    """RCL315 at the value: what it is, what the runtime needs, and the fix when the intent is clear."""
    expected = {"object": "table"}.get(expected, expected)
    fixed = fixed_literal(value, expected)
    name = key.rsplit(".", 1)[-1]
    return Finding(
        "RCL315", f"{what}: `{key} = {toml_literal(value)}` is {_a(toml_type(value))}, {needs} needs {_a(expected)}",
        loc.path, loc.span, field=loc.field,
        help=(f"Write the item as {fixed}" if fixed else f"Make the item {_a(expected)}") if key.endswith("]") else (
            f"Write `{name} = {fixed}`" if fixed else f"Give `{name}` {_a(expected)} value"), notes=notes)


def known_keys(schema_name: str) -> List[str]:
    return list(load_schema(schema_name).get("properties", {}))


def suggest(key: str, candidates: Iterable[str]) -> Optional[str]:
    """The closest known key (rclint.suggest: same letters ignoring case and `_`/`-`, one typo, same family)."""
    from rclint.suggest import closest

    return closest(key, candidates)


def did_you_mean(key: str, candidates: Iterable[str]) -> str:
    guess = suggest(key, candidates)
    return f"; did you mean `{guess}`?" if guess and guess != key else ""


def go_toml_v1_matches(key: str, field_name: str) -> bool:
    """go-toml v1 (containerd 1.x) tries the tag, its lowercase, its uppercase and lower-first forms."""
    variants = {field_name, field_name.lower(), field_name.upper(), field_name[:1].lower() + field_name[1:]}
    return key in variants


DisplayPath = Callable[[str], str]
ReadText = Callable[[str], str]


def read_text_file(path: str) -> str:
    """Default reader: UTF-8 (BOM allowed) text of a regular file, bounded (rclint.fspolicy)."""
    from rclint.fspolicy import DEFAULT_MAX_SIZE, read_trusted
    from rclint.textio import decode

    return decode(read_trusted(path, DEFAULT_MAX_SIZE, regular_only=True))
