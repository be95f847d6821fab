"""What is this input? The one place that decides, and says why.

Two questions, asked at two moments:

* `candidate(path)`, from the name alone while walking the tree: which loader looks at the
  file at all ("manifest" for `.yaml`/`.yml`/`.json`, "node" for a file that may be a node
  runtime config: `.toml`, a `.toml` template (`.toml.tmpl`, `.toml.tpl`, `.toml.gtpl`,
  `.toml.j2`), `.conf`, anything under `crio.conf.d/`, extension-less files), or None.
* `recognise(path, text, named=...)`, for a "node" candidate once its text is read: is it a
  containerd config, a CRI-O config, or neither, and why. The decision uses, in this order:

  1. explicit configuration: a file named with `--node-config` or a pool's `runtime-config`
     is a node config whatever it holds (CRI-O when it looks like CRI-O's, else containerd);
  2. project and tool manifests are never node configs: `pyproject.toml`, `Cargo.toml`, or any
     file whose decoded top level has a `project`, `package`, `tool`, `build-system`,
     `workspace` or `dependencies` table;
  3. the name and location: `containerd/config.toml`, `etc/cri/containerd.toml` (Talos),
     `k0s/containerd.toml`, any `containerd.toml`, a `config.toml.tmpl` under `containerd/`
     (k3s); `crio.conf` and files under `crio.conf.d/` for CRI-O. These count even when the
     file is empty or holds only comments (the runtime then runs with its built-in defaults),
     or does not parse (RCL002 says why); a decoded top level of the other runtime wins;
  4. the decoded top level: `[crio...]` tables make a CRI-O config; a `plugins` table keyed by
     containerd plugin IDs (`io.containerd.grpc.v1.cri`, or the version 1 short ID `cri`)
     makes a containerd config; so does a top level made only of containerd's own keys with
     an integer `version` 1-4 or a key only containerd uses (`imports`, `oom_score`, ...).

  A template usually does not parse: its lines before the first placeholder are decoded
  instead.

  A file that another containerd config imports is part of that config whatever it holds;
  `runtimes.sources` decides that once every main config is loaded.

`node_root(path)` derives the directory that stands for `/` of the node from a main config's
conventional location, so that absolute imports (`/etc/cri/conf.d/cri.toml`) can be followed
inside the tree. `find_placeholder(text)` finds template placeholders (`{{ }}`, `${VAR}`,
`$VAR`) outside comments: such a file is reported once (RCL005) and not linted as values.
"""

from __future__ import annotations

import os
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence, Tuple

from rclint.model import Span

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
TEMPLATE_SUFFIXES = (".tmpl", ".tpl", ".gtpl", ".j2", ".jinja", ".jinja2")
NODE_SUFFIXES = (".toml", ".conf") + tuple(".toml" + t for t in TEMPLATE_SUFFIXES)
_NOT_CONFIG = frozenset(["Makefile", "LICENSE", "Dockerfile", "Containerfile", "OWNERS", "CODEOWNERS",
                         "NOTICE", "AUTHORS", "VERSION", "Vagrantfile", "Jenkinsfile", "Gemfile", "Procfile"])

CONTAINERD = "containerd"
CRIO = "crio"

# containerd's own top-level keys (services/server/config/config.go `Config`)
CONTAINERD_TOP_KEYS = frozenset([
    "version", "root", "state", "temp", "plugin_dir", "grpc", "ttrpc", "debug", "metrics",
    "disabled_plugins", "required_plugins", "oom_score", "cgroup", "proxy_plugins", "timeouts",
    "imports", "stream_processors", "plugins",
])
# keys no other well-known TOML file uses at the top level
CONTAINERD_DISTINCTIVE = frozenset([
    "imports", "oom_score", "disabled_plugins", "required_plugins", "proxy_plugins",
    "stream_processors", "ttrpc", "grpc",
])
# version 1 configs use short plugin IDs; `cri` is the one that holds runtimes
_V1_PLUGIN_IDS = frozenset(["cri", "linux", "cgroups", "bolt", "opt", "restart", "scheduler", "diff-service",
                            "devmapper", "overlayfs", "native", "btrfs", "zfs", "aufs"])
_PLUGIN_ID = re.compile(r"io\.containerd\.[A-Za-z0-9_-]+\.v[0-9]+(\.[A-Za-z0-9_.-]+)?\Z")

PROJECT_TABLES = ("project", "package", "tool", "build-system", "workspace", "dependencies")
PROJECT_FILES = frozenset(["pyproject.toml", "cargo.toml"])

# (path tail, what the layout is): the part before the tail is the node's `/`
NODE_LAYOUTS: Tuple[Tuple[Tuple[str, ...], str], ...] = tuple(
    [(("var", "lib", "rancher", dist, "agent", "etc", "containerd", name), f"the {dist} containerd config")
     for dist in ("k3s", "rke2") for name in ("config.toml", "config-v3.toml")]
    + [
        (("etc", "containerd", "config.toml"), "containerd's config"),
        (("etc", "cri", "containerd.toml"), "the Talos containerd config"),
        (("etc", "k0s", "containerd.toml"), "the k0s containerd config"),
        (("etc", "containerd", "containerd.toml"), "a containerd config"),
    ]
)


@dataclass(frozen=True)
class Recognition:
    """kind: "containerd", "crio" or None (not a node config); reason: how it was recognised."""

    kind: Optional[str]
    reason: str
    template: Optional[Tuple[Span, str]] = None  # the first placeholder, when the file is a template


# --------------------------------------------------------------------------- names


def _parts(path: str) -> Tuple[str, ...]:
    return tuple(p for p in os.path.normpath(path).replace("\\", "/").split("/") if p not in ("", "."))


def candidate(path: str, explicit: bool = False) -> Optional[str]:
    """From the name alone: "manifest", "node" (maybe a node runtime config) or None."""
    name = os.path.basename(path)
    lower = name.lower()
    if lower.endswith(MANIFEST_SUFFIXES):
        return "manifest"
    if lower.endswith(NODE_SUFFIXES) or "crio.conf.d" in _parts(os.path.dirname(path)):
        return "node"
    if "." not in name.lstrip(".") and name not in _NOT_CONFIG:
        return "node"  # extension-less: CRI-O drop-ins often have no suffix
    if explicit:
        return "manifest"
    return None


def _untemplated(name: str) -> str:
    """`config.toml.j2` -> `config.toml`: a template is named after the file it renders."""
    for suffix in TEMPLATE_SUFFIXES:
        if name.endswith(".toml" + suffix):
            return name[: -len(suffix)]
    return name


def containerd_by_name(path: str) -> Optional[str]:
    """Why a path is named or located like a containerd config, or None."""
    parts = _parts(path)
    if not parts:
        return None
    parts = parts[:-1] + (_untemplated(parts[-1]),)
    name, parent = parts[-1], (parts[-2] if len(parts) > 1 else "")
    for tail, what in NODE_LAYOUTS:
        if parts[-len(tail):] == tail:
            return f"located like {what} ({'/'.join(tail[-3:])})"
    if parent == "containerd" and name in ("config.toml", "config-v3.toml"):
        return f"named like containerd's config (containerd/{os.path.basename(path)})"
    if name == "containerd.toml":
        return "named like containerd's config (containerd.toml)"
    return None


def crio_by_name(path: str) -> Optional[str]:
    parts = _parts(path)
    if not parts:
        return None
    if parts[-1] == "crio.conf":
        return "named like CRI-O's config (crio.conf)"
    if "crio.conf.d" in parts[:-1]:
        return "a drop-in in a crio.conf.d directory"
    return None


def node_root(path: str, tail: Optional[Sequence[str]] = None) -> Optional[str]:
    """The directory standing for the node's `/`, from the main config's conventional location
    (`<root>/etc/containerd/config.toml`, `<root>/etc/cri/containerd.toml`, ...); None when the
    path is not laid out like a node."""
    norm = os.path.normpath(path)
    parts = norm.replace("\\", "/").split("/")
    parts[-1] = _untemplated(parts[-1])
    tails = [tuple(tail)] if tail is not None else [t for t, _what in NODE_LAYOUTS]
    for t in tails:
        if len(parts) >= len(t) and tuple(parts[-len(t):]) == t:
            root = "/".join(parts[: -len(t)])
            if root == "" and norm.startswith("/"):
                return "/"
            return root or "."
    return None


# --------------------------------------------------------------------------- structure


def _decode(text: str) -> Optional[Dict[str, Any]]:
    try:  # Python 3.11+; imported here, where a node config candidate is read (start-up)
        import tomllib as _toml
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as _toml  # type: ignore[no-redef]

    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _toml.loads(text)
    except (_toml.TOMLDecodeError, RecursionError, ValueError, TypeError, OverflowError):
        return None


def _containerd_plugin_ids(value: Dict[str, Any]) -> list:
    plugins = value.get("plugins")
    if not isinstance(plugins, dict):
        return []
    return [k for k, v in plugins.items() if isinstance(v, dict) and (_PLUGIN_ID.match(k) or k in _V1_PLUGIN_IDS)]


def by_structure(value: Dict[str, Any]) -> Optional[Recognition]:
    """The decoded top level's verdict: a Recognition (kind may be None for a project
    manifest), or None when the structure says nothing."""
    project = [k for k in PROJECT_TABLES if k in value]
    if project:
        return Recognition(None, f"a project or tool manifest (top-level [{project[0]}])")
    if isinstance(value.get("crio"), dict):
        return Recognition(CRIO, "its decoded top level has [crio] tables")
    ids = _containerd_plugin_ids(value)
    if ids:
        return Recognition(CONTAINERD, f"its decoded `plugins` table is keyed by containerd plugin IDs ({ids[0]})")
    keys = set(value)
    version = value.get("version")
    int_version = isinstance(version, int) and not isinstance(version, bool) and 1 <= version <= 4
    if keys and keys <= CONTAINERD_TOP_KEYS and ("version" not in keys or int_version):
        distinctive = sorted(keys & CONTAINERD_DISTINCTIVE)
        if int_version or distinctive:
            shown = ([f"version = {version}"] if int_version else []) + distinctive
            return Recognition(CONTAINERD, "its decoded top level holds only containerd's keys ("
                               + ", ".join(shown[:3]) + ")")
    return None


# --------------------------------------------------------------------------- templates

_PLACEHOLDER = re.compile(r"\{\{|\{%|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Z_][A-Z0-9_]*\b")


def find_placeholder(text: str) -> Optional[Tuple[Span, str]]:
    """The first template placeholder (`{{`, `${VAR}`, `$VAR`) outside a TOML comment."""
    for lineno, line in enumerate(text.split("\n"), 1):
        if "{{" not in line and "{%" not in line and "$" not in line:
            continue
        code = _strip_comment(line)
        m = _PLACEHOLDER.search(code)
        if m:
            token = m.group(0)
            if token in ("{{", "{%"):
                close = "}}" if token == "{{" else "%}"
                end = code.find(close, m.end())
                token = code[m.start(): end + 2] if end >= 0 else token
            return Span(lineno, m.start() + 1), token
    return None


def _strip_comment(line: str) -> str:
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote is None:
            if c == "#":
                return line[:i]
            if c in "\"'":
                quote = c
        elif c == "\\" and quote == '"':
            i += 1
        elif c == quote:
            quote = None
        i += 1
    return line


# --------------------------------------------------------------------------- the verdict


def recognise(path: str, text: str, named: Optional[str] = None, given: bool = False) -> Recognition:
    """Is this candidate a containerd config, a CRI-O config, or neither; and why.

    named: why the file was named explicitly ("named with --node-config", "runtime-config of
    node pool gpu"), or None for a file found by walking the tree.
    given: the file itself is a command-line argument: an empty or comment-only TOML file given
    so is a containerd config with its built-in defaults.
    """
    placeholder = find_placeholder(text)
    value = _decode(text)
    if value is None and placeholder is not None:
        # a template rarely parses; its lines before the first placeholder usually do
        value = _decode("\n".join(text.split("\n")[: placeholder[0].line - 1]))
    structure = by_structure(value) if value is not None else None
    ctd_name, crio_name = containerd_by_name(path), crio_by_name(path)
    if named:
        if (structure is not None and structure.kind == CRIO) or crio_name or (
                structure is None and not ctd_name and not _untemplated(path.lower()).endswith(".toml")):
            kind = CRIO
        else:
            kind = CONTAINERD
        return Recognition(kind, named, placeholder)
    if os.path.basename(path).lower() in PROJECT_FILES:
        return Recognition(None, "a project manifest")
    if structure is not None and structure.kind is None:
        return structure  # a project or tool manifest, whatever its name
    if ctd_name or crio_name:
        name_kind = CONTAINERD if ctd_name else CRIO
        if structure is not None and structure.kind != name_kind:
            return Recognition(structure.kind, structure.reason, placeholder)
        # its structure agrees, or says nothing (empty, comments only, unparsable, a template)
        return Recognition(name_kind, ctd_name or crio_name or "", placeholder)
    if structure is not None:
        return Recognition(structure.kind, structure.reason, placeholder)
    if given and value == {} and path.lower().endswith(".toml"):
        return Recognition(CONTAINERD, "given on the command line (empty: containerd's built-in defaults)")
    return Recognition(None, "neither its name nor its decoded top level is a node runtime config's")
