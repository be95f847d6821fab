"""Settings: built-in defaults, the configuration file, and command-line flags, in that order.

The configuration lives in `[tool.rclint]` of a `pyproject.toml` or at the top level of a
`.rclint.toml`, found by walking up from the first path argument to the repository root
(the first directory holding `.git`). The nearest directory wins; in one directory a
`.rclint.toml` wins over `pyproject.toml`. Each layer only overrides the keys it sets;
list-valued exclusions extend the built-in ones instead of replacing them.

A configuration file rclint reads and cannot use (invalid TOML, nesting too deep, a value of
the wrong type, an unknown key) is a configuration error (exit 2) that names the place as
`path:line:col`, the path relative to the working directory.
"""

from __future__ import annotations

import os
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from rclint.model import Severity


class ConfigError(Exception):
    """A configuration problem: exit code 2 with this message."""


# configuration file -> (decoded document with positions, key prefix of rclint's table)
_DOCS: Dict[str, tuple] = {}


def _where(path, key: tuple = (), at_key: bool = False) -> str:
    """`path:line:col` of a value (or, with at_key, of the key itself) in rclint's configuration
    table, the path relative to the working directory; just the path when no file was read."""
    shown = display_path(str(path))
    entry = _DOCS.get(str(path))
    if entry is None:
        return shown
    doc, base = entry
    full = tuple(base) + tuple(key)
    span = None
    while span is None:
        span = doc.value_span(full) if full and not at_key else None
        span = span or doc.key_span(full) or doc.table_span(full) or (doc.value_span(full) if full else None)
        if span is None:
            if not full:
                break
            full = full[:-1]
    return f"{shown}:{span.line}:{span.column}" if span else f"{shown}:1:1"


# a path named by a configuration file (node-config, a pool's runtime-config) -> where it is written
_NAMED_AT: Dict[str, str] = {}


def named_at(path: str) -> Optional[str]:
    """`file:line:col` of the configuration entry that named `path`, or None (a command-line flag)."""
    return _NAMED_AT.get(path)


def _load_toml_config(path: Path):
    """The file's decoded document with positions; ConfigError at the parser's position."""
    from rclint.textio import DecodeError, decode
    from rclint.tomlsource import TomlSyntaxError, load_toml

    from rclint.fspolicy import read_config_file

    try:
        text = decode(read_config_file(str(path)))
    except OSError as exc:
        raise ConfigError(f"{display_path(str(path))}: cannot read configuration: {exc.strerror or exc}") from None
    except DecodeError as exc:
        raise ConfigError(f"{display_path(str(path))}:1:1: cannot read configuration: {exc}") from None
    try:
        return load_toml(text)
    except TomlSyntaxError as exc:
        raise ConfigError(f"{display_path(str(path))}:{exc.span.line}:{exc.span.column}: invalid TOML: "
                          f"{exc.message}") from None


DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
)
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024

CONFIG_KEYS = {
    "select", "ignore", "extend-select", "severity", "exclude", "fail-on",
    "known-runtime-classes", "max-file-size", "node-config", "node-pool", "containerd", "crio",
    "extend-exclude", "respect-gitignore",
}
NODE_POOL_KEYS = {"name", "labels", "taints", "runtime-config", "nodes", "containerd", "crio"}


@dataclass
class NodePoolConfig:
    """A node pool declared in the configuration ([[tool.rclint.node-pool]])."""

    name: str
    labels: Dict[str, str]
    taints: List[dict]
    runtime_configs: List[str]  # paths, resolved against the configuration file's directory
    nodes: Optional[int]
    source: str  # the configuration file
    containerd: Optional[tuple] = None  # release lines, e.g. ("1.7",) (rclint.runtimes.versions)
    crio: Optional[str] = None  # e.g. "1.31"


@dataclass
class Settings:
    """Everything a run is configured with: defaults, the configuration file, then the flags."""

    paths: List[str] = field(default_factory=lambda: ["."])
    select: Optional[List[str]] = None           # None: every rule
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    severity: Dict[str, Severity] = field(default_factory=dict)
    exclude: List[str] = field(default_factory=list)         # gitignore-style patterns (discovery.Excluder)
    extend_exclude: List[str] = field(default_factory=list)
    respect_gitignore: bool = True                           # skip what the repository's .gitignore files ignore
    write_baseline: Optional[str] = None                     # never read as an input
    fail_on: Severity = Severity.ERROR
    min_severity: Severity = Severity.INFO
    known_runtime_classes: List[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    node_configs: List[str] = field(default_factory=list)
    node_pools: List["NodePoolConfig"] = field(default_factory=list)
    containerd_version: Optional[tuple] = None  # default for pools that do not declare one
    crio_version: Optional[str] = None
    stdin_filename: str = "<stdin>"
    config_path: Optional[str] = None
    config_dir: Optional[str] = None
    parse_all: bool = False
    baseline: Optional[str] = None          # report only findings not in this baseline file
    only_paths: Optional[List[str]] = None  # report only findings in these files (pre-commit)
    extra_inputs: List[tuple] = field(default_factory=list)  # (display name, bytes): e.g. the live cluster
    cache_dir: Optional[str] = None  # the result cache (rclint.cache); None: no cache
    jobs: int = 0  # worker processes for loading; 0: as many as pay (rclint.parallel), 1: none


_SIZE = re.compile(r"^\s*(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$", re.I)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def parse_size(value) -> int:
    if isinstance(value, bool):
        raise ConfigError("max-file-size must be a number of bytes or a size like '20MiB'")
    if isinstance(value, int) and value > 0:
        return value
    m = _SIZE.match(str(value))
    if not m or len(m.group(1)) > 18 or int(m.group(1)) <= 0:  # 18 digits: never near Python's int limit
        shown = repr(value) if len(str(value)) <= 40 else repr(str(value)[:36]) + "..."
        raise ConfigError(f"max-file-size: {shown} is not a size (e.g. 5000000 or '20MiB')")
    return int(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]


def find_config(start: str) -> Optional[Path]:
    """Walk up from `start` to the repository root; the first `.rclint.toml` or
    `pyproject.toml` with a `[tool.rclint]` table wins."""
    p = Path(start if start != "-" else ".").resolve()
    if not p.is_dir():
        p = p.parent
    while True:
        candidate = p / ".rclint.toml"
        if candidate.is_file():
            return _inside_its_directory(candidate)
        candidate = p / "pyproject.toml"
        if candidate.is_file():
            try:
                text = _config_text(_inside_its_directory(candidate))
                data = _toml_loads(text)
            except (OSError, UnicodeDecodeError):
                data, text = {}, ""
            except (ValueError, RecursionError):
                if "rclint" in text:  # it may hold [tool.rclint]: never drop it silently
                    _load_toml_config(candidate)  # raises with the position
                    raise ConfigError(f"{display_path(str(candidate))}: invalid TOML") from None
                data = {}
            if isinstance(data.get("tool"), dict) and "rclint" in data["tool"]:
                return candidate
            if "tool" in data and not isinstance(data["tool"], dict) and "rclint" in text:
                read_config(candidate)  # `tool = 1` where [tool.rclint] was meant: raises with the position
        if (p / ".git").exists() or p.parent == p:
            return None
        p = p.parent


def _toml_loads(text: str) -> dict:
    """tomllib, imported only when a pyproject.toml is read (start-up)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return tomllib.loads(text)


def _config_text(path: Path) -> str:
    """A configuration file's text: a regular file, bounded (rclint.fspolicy)."""
    from rclint.fspolicy import read_config_file

    return read_config_file(str(path)).decode("utf-8")


def _inside_its_directory(candidate: Path) -> Path:
    """A configuration file found by walking up is part of the scanned tree: it must not be a
    symlink to a file outside its own directory."""
    from rclint.fspolicy import inside

    if not inside(os.path.realpath(candidate), os.path.realpath(candidate.parent)):
        raise ConfigError(f"{candidate}: is a symbolic link to a file outside its directory; rclint does not "
                          "follow it (pass --config FILE or --isolated)")
    return candidate


def _inside_config_dir(paths: List[str], path: Path, key: str, at: Optional[tuple] = None) -> List[str]:
    """Paths the configuration names are untrusted: each must resolve inside the configuration
    file's directory (a path outside it can be given with --node-config on the command line)."""
    from rclint.fspolicy import inside
    from rclint.textio import visible

    base = os.path.realpath(path.parent)
    for i, p in enumerate(paths):
        if not inside(os.path.realpath(p), base):
            raise ConfigError(f"{_where(path, (at or (key,)) + (i,))}: {key} {visible(repr(os.path.relpath(p, path.parent)))} resolves outside "
                              f"{visible(str(path.parent))}; rclint reads only files inside the configuration's "
                              "directory (name it with --node-config on the command line instead)")
    return paths


def read_config(path: Path) -> dict:
    doc = _load_toml_config(path)
    data = doc.value
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            _DOCS[str(path)] = (doc, ())
            raise ConfigError(f"{_where(path, ('tool',))}: `tool` must be a table ([tool.rclint])")
        data = tool.get("rclint", {})
        base: tuple = ("tool", "rclint")
        where = "[tool.rclint]"
    else:
        base = ()
        where = path.name
    _DOCS[str(path)] = (doc, base)
    if not isinstance(data, dict):
        raise ConfigError(f"{_where(path)}: {where} must be a table")
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        from rclint.suggest import closest

        hint = closest(unknown[0], CONFIG_KEYS)
        extra = f" (did you mean '{hint}'?)" if hint else ""
        raise ConfigError(
            f"{_where(path, (unknown[0],), at_key=True)}: unknown configuration key '{unknown[0]}' in {where}{extra}; "
            f"known keys: {', '.join(sorted(CONFIG_KEYS))}"
        )
    return data


def _str_list(data: dict, key: str, path: Path) -> List[str]:
    value = data[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{_where(path, (key,))}: '{key}' must be a list of strings")
    return list(value)


def apply_config(settings: Settings, data: dict, path: Path) -> None:
    from rclint.catalog import validate_selectors

    settings.config_path = str(path)
    settings.config_dir = str(path.parent)
    for key in ("select", "ignore", "extend-select"):
        if key in data:
            values = _str_list(data, key, path)
            for i, value in enumerate(values):  # each entry checked where it is written
                validate_selectors([value], f"{_where(path, (key, i) if isinstance(data[key], list) else (key,))}: '{key}'")
            if key == "select":
                settings.select = values
            elif key == "ignore":
                settings.ignore = values
            else:
                settings.extend_select = values
    if "severity" in data:
        sev = data["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{_where(path, ('severity',))}: 'severity' must be a table of CODE = \"error|warning|info\"")
        for code in sev:
            validate_selectors([code], f"{_where(path, ('severity', code), at_key=True)}: 'severity'", exact=True)
        from rclint.catalog import resolve

        for code, level in sev.items():
            try:
                settings.severity[resolve(code) or code] = Severity.parse(level)
            except ValueError as exc:
                raise ConfigError(f"{_where(path, ('severity', code))}: severity.{code}: {exc}") from None
    if "exclude" in data:
        settings.exclude = _str_list(data, "exclude", path)
    if "extend-exclude" in data:
        settings.extend_exclude = _str_list(data, "extend-exclude", path)
    if "respect-gitignore" in data:
        if not isinstance(data["respect-gitignore"], bool):
            raise ConfigError(f"{_where(path, ('respect-gitignore',))}: 'respect-gitignore' must be true or false")
        settings.respect_gitignore = data["respect-gitignore"]
    if "fail-on" in data:
        try:
            settings.fail_on = Severity.parse(data["fail-on"])
        except ValueError as exc:
            raise ConfigError(f"{_where(path, ('fail-on',))}: fail-on: {exc}") from None
    if "known-runtime-classes" in data:
        settings.known_runtime_classes = _str_list(data, "known-runtime-classes", path)
    if "max-file-size" in data:
        try:
            settings.max_file_size = parse_size(data["max-file-size"])
        except ConfigError as exc:
            raise ConfigError(f"{_where(path, ('max-file-size',))}: {exc}") from None
    if "node-config" in data:
        base = path.parent
        settings.node_configs = _inside_config_dir([str(base / p) for p in _str_list(data, "node-config", path)],
                                                   path, "node-config")
        for i, named in enumerate(settings.node_configs):
            _NAMED_AT[named] = _where(path, ("node-config", i) if isinstance(data["node-config"], list) else ("node-config",))
    if "node-pool" in data:
        settings.node_pools = _node_pools(data["node-pool"], path)
    settings.containerd_version, settings.crio_version = _runtime_versions(data, lambda key: _where(path, (key,)))


def _runtime_versions(entry: dict, where):
    """`containerd = "1.7"` / `crio = "1.31"`: the runtime version a pool runs."""
    from rclint.runtimes.versions import VersionError, parse_containerd, parse_crio

    out = []
    for key, parse in (("containerd", parse_containerd), ("crio", parse_crio)):
        try:
            out.append(parse(entry[key]) if key in entry else None)
        except VersionError as exc:
            raise ConfigError(f"{where(key)}: {key}: {exc}") from None  # where: key -> its position
    containerd, crio = out
    return containerd, crio


def _node_pools(value, path: Path) -> List[NodePoolConfig]:
    unknown_keys: set = set()

    def where(i=None, key=None) -> str:
        keys = ("node-pool",) + (() if i is None else (i,)) + (() if key is None else (key,))
        return f"{_where(path, keys, at_key=key in unknown_keys)}: node-pool"

    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{where()} must be an array of tables ([[node-pool]] / [[tool.rclint.node-pool]])")
    pools: List[NodePoolConfig] = []
    for i, entry in enumerate(value):
        unknown = sorted(set(entry) - NODE_POOL_KEYS)
        unknown_keys.update(unknown)
        if unknown:
            raise ConfigError(f"{where(i, unknown[0])}[{i}]: unknown key '{unknown[0]}' (known: {', '.join(sorted(NODE_POOL_KEYS))})")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where(i, 'name')}[{i}]: 'name' must be a non-empty string")
        if name in {p.name for p in pools}:
            raise ConfigError(f"{where(i, 'name')}[{i}]: pool name '{name}' is used twice")
        labels = entry.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise ConfigError(f"{where(i, 'labels')} '{name}': 'labels' must be a table of strings")
        taints = entry.get("taints", [])
        if not isinstance(taints, list) or not all(isinstance(t, dict) and isinstance(t.get("key"), str)
                                                   and t.get("effect") in ("NoSchedule", "PreferNoSchedule", "NoExecute")
                                                   and isinstance(t.get("value", ""), str) for t in taints):
            raise ConfigError(f"{where(i, 'taints')} '{name}': 'taints' must be a list of {{ key, value, effect }} tables with "
                              "effect NoSchedule, PreferNoSchedule or NoExecute")
        configs = entry.get("runtime-config", [])
        if isinstance(configs, str):
            configs = [configs]
        if not isinstance(configs, list) or not all(isinstance(c, str) for c in configs):
            raise ConfigError(f"{where(i, 'runtime-config')} '{name}': 'runtime-config' must be a list of paths")
        nodes = entry.get("nodes")
        if nodes is not None and (not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1):
            raise ConfigError(f"{where(i, 'nodes')} '{name}': 'nodes' must be a positive integer")
        configs = _inside_config_dir([str(path.parent / c) for c in configs], path, "runtime-config",
                                     ("node-pool", i, "runtime-config"))
        for j, c in enumerate(configs):
            keys = (i, "runtime-config", j) if isinstance(entry.get("runtime-config"), list) else (i, "runtime-config")
            _NAMED_AT[c] = _where(path, ("node-pool",) + keys)
        containerd, crio = _runtime_versions(entry, lambda key, i=i, name=name: f"{where(i, key)} '{name}'")
        pools.append(NodePoolConfig(name, dict(labels), list(taints), configs,
                                    nodes, str(path), containerd, crio))
    return pools


def load_settings(paths: Sequence[str], config: Optional[str] = None, isolated: bool = False) -> Settings:
    settings = Settings(paths=list(paths) or ["."])
    if isolated:
        return settings
    cfg_path: Optional[Path]
    if config:
        cfg_path = Path(config)
        if not cfg_path.is_file():
            raise ConfigError(f"--config {config}: no such file")
    else:
        cfg_path = find_config(settings.paths[0])
    if cfg_path is not None:
        apply_config(settings, read_config(cfg_path), cfg_path)
    return settings


def display_path(path: str) -> str:
    """A path as users see it: relative to the working directory, POSIX separators."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    rel = rel.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel
