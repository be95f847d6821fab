"""Which input files are node runtime configs, and how they group into node pools.

Decided by content, not by name: a TOML file with a top-level `version` key or `plugins`
tables is a containerd config; a file with `[crio...]` tables (named `crio.conf`, `*.conf`,
anything in a `crio.conf.d/` directory, or extension-less) is CRI-O configuration. A
`crio.conf` takes the drop-ins of the `crio.conf.d/` directory next to it; drop-ins without a
`crio.conf` beside them form a pool of their own. A containerd file that another one imports
is part of that config, not a pool of its own.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from rclint.fspolicy import FsPolicy, Refused
from rclint.model import Finding, Span
from rclint.runtimes.base import RuntimeConfig
from rclint.textio import DecodeError, decode

CONTAINERD_HINT = re.compile(r"^[ \t]*(?:version[ \t]*=|\[[ \t]*plugins\b|plugins[ \t]*[.=])", re.M)
CRIO_HINT = re.compile(r"^[ \t]*\[[ \t]*crio[ \t]*[\].]", re.M)


@dataclass
class RuntimeSources:
    configs: List[RuntimeConfig] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


def read_config_text(path: str, max_size: int, policy: Optional[FsPolicy] = None, explicit: bool = False) -> str:
    """Read a runtime config file as text through the filesystem policy (inside the scanned
    roots unless the user named it, regular, bounded); OSError/DecodeError are the caller's."""
    policy = policy or FsPolicy(trusted=[path])
    return decode(policy.read_bytes(path, trusted=explicit or None, max_size=max_size))


def _sniff(path: str, max_size: int, policy: Optional[FsPolicy] = None, explicit: bool = False) -> Optional[str]:
    try:
        return read_config_text(path, max_size, policy, explicit)
    except (OSError, DecodeError):
        return None


def _has_tables(text: str) -> bool:
    return re.search(r"^[ \t]*\[", text, re.M) is not None or re.search(r"^[ \t]*[A-Za-z0-9_\"'-]+[ \t]*=", text, re.M) is not None


def _named_like_a_runtime_config(path: str) -> bool:
    p = path.replace(os.sep, "/")
    return (p.endswith("containerd/config.toml") or os.path.basename(p) == "crio.conf"
            or os.path.basename(os.path.dirname(p)) == "crio.conf.d")


def _unreadable(display: str, exc: Exception) -> Finding:
    if isinstance(exc, Refused) and exc.kind != "size":
        return exc.finding("runtime config", display)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return Finding("RCL003", f"cannot read runtime config: {reason}", display, Span(1, 1), field="read")


def load_runtime_sources(
    candidates: List[Tuple[str, str, bool]],
    display: Callable[[str], str],
    max_size: int,
    policy: Optional[FsPolicy] = None,
    versions_for: Optional[Callable[[str], Tuple[Optional[tuple], Optional[str]]]] = None,
) -> RuntimeSources:
    """candidates: (path, kind, explicit) with kind "toml", "crio" or "maybe-crio".
    policy: the run's filesystem policy (default: every candidate path is trusted).
    versions_for: display path of a main config -> (containerd release lines, CRI-O version)
    declared for the pool it belongs to (None: infer from the config)."""
    out = RuntimeSources()
    if not candidates:
        return out
    from rclint.runtimes.containerd import detect_node_root, load_containerd  # imported when there is something to load
    from rclint.runtimes.crio import load_crio

    if policy is None:
        policy = FsPolicy(trusted=[p for p, _k, _e in candidates], max_size=max_size)
        for p, _k, _e in candidates:
            policy.add_root(os.path.dirname(os.path.abspath(p)))
    explicit_paths = {os.path.abspath(p) for p, _k, e in candidates if e}

    def declared(path: str) -> Tuple[Optional[tuple], Optional[str]]:
        return versions_for(display(path)) if versions_for else (None, None)

    def reader(path: str, node_root: Optional[str]):
        """read_text for one node config: imports and drop-ins only inside its node root."""
        explicit = os.path.abspath(path) in explicit_paths
        return policy.reader(path, explicit, policy.region(path, node_root))

    def dropins_of(d: str, main: str) -> List[str]:
        try:
            files, refused = policy.dropins(d, policy.region(main, None))
        except Refused as exc:
            out.findings.append(exc.finding("drop-in directory", display(d)))
            return []
        for p, reason in refused:
            out.findings.append(Refused(reason, p, "outside").finding("drop-in", display(p)))
        return files

    containerd_mains: List[str] = []
    crio_mains: List[str] = []
    crio_dropin_dirs: Dict[str, List[str]] = {}
    for path, kind, explicit in candidates:
        text = _sniff(path, max_size, policy, explicit)
        if text is None:
            if kind == "maybe-crio" and not explicit and not _named_like_a_runtime_config(path):
                continue
            try:
                read_config_text(path, max_size, policy, explicit)
            except (OSError, DecodeError) as exc:
                if explicit or _named_like_a_runtime_config(path):
                    out.findings.append(_unreadable(display(path), exc))
            continue
        parent = os.path.basename(os.path.dirname(path))
        if kind == "toml" or (explicit and path.endswith(".toml")):
            # by content; an empty or comment-only file named like containerd's config is one too
            # (containerd runs it with its built-in defaults)
            if CONTAINERD_HINT.search(text) or (
                    _named_like_a_runtime_config(path) or explicit) and not CRIO_HINT.search(text) and not _has_tables(text):
                containerd_mains.append(path)
                out.bytes += len(text)
            continue
        if parent == "crio.conf.d":  # CRI-O reads every file there; a broken one stops it
            crio_dropin_dirs.setdefault(os.path.dirname(path), []).append(path)
            out.bytes += len(text)
        elif CRIO_HINT.search(text):
            crio_mains.append(path)
            out.bytes += len(text)

    for path in containerd_mains:
        out.files += 1
        try:
            out.configs.append(load_containerd(path, read_text=reader(path, detect_node_root(path)),
                                               display_path=display, glob=policy.globber(
                                                   policy.region(path, detect_node_root(path))),
                                               versions=declared(path)[0]))
        except (OSError, DecodeError) as exc:
            out.findings.append(_unreadable(display(path), exc))
    # a file another config imports belongs to that config
    imported = {s for cfg in out.configs for s in cfg.sources[1:]}
    out.configs = [c for c in out.configs if c.path not in imported]

    claimed = set()
    for path in crio_mains:
        out.files += 1
        dropins: List[str] = []
        if os.path.basename(path) == "crio.conf":
            d = os.path.join(os.path.dirname(path), "crio.conf.d")
            if os.path.isdir(d):
                dropins = dropins_of(d, path)
                claimed.add(os.path.abspath(d))
        try:
            out.configs.append(load_crio(path, dropins, read_text=reader(path, None), display_path=display,
                                         crio_version=declared(path)[1]))
        except (OSError, DecodeError) as exc:
            out.findings.append(_unreadable(display(path), exc))
    for d, files in sorted(crio_dropin_dirs.items()):
        if os.path.abspath(d) in claimed:
            continue
        out.files += len(files)
        try:
            out.configs.append(load_crio(None, dropins_of(d, d), read_text=reader(d, None), display_path=display,
                                         crio_version=declared(files[0])[1]))
        except (OSError, DecodeError, ValueError) as exc:
            out.findings.append(_unreadable(display(files[0]), exc))
    for cfg in out.configs:
        out.findings.extend(cfg.findings)
    # a file refused by the filesystem policy is reported once, however many readers met it
    unreadable = set()
    kept = []
    for f in out.findings:
        if f.code == "RCL003" and f.field == "read":
            if f.path in unreadable:
                continue
            unreadable.add(f.path)
        kept.append(f)
    out.findings = kept
    out.configs.sort(key=lambda c: c.path)
    return out
