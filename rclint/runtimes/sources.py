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


def read_config_text(path: str, max_size: int) -> str:
    """Read a runtime config file as text; OSError/DecodeError are the caller's to report."""
    with open(path, "rb") as fh:
        data = fh.read(max_size + 1)
    if len(data) > max_size:
        raise DecodeError(f"file is over the {max_size:,}-byte limit")
    return decode(data)


def _sniff(path: str, max_size: int) -> Optional[str]:
    try:
        return read_config_text(path, max_size)
    except (OSError, DecodeError):
        return None


def _has_tables(text: str) -> bool:
    return re.search(r"^[ \t]*\[", text, re.M) is not None or re.search(r"^[ \t]*[A-Za-z0-9_\"'-]+[ \t]*=", text, re.M) is not None


def _named_like_a_runtime_config(path: str) -> bool:
    p = path.replace(os.sep, "/")
    return (p.endswith("containerd/config.toml") or os.path.basename(p) == "crio.conf"
            or os.path.basename(os.path.dirname(p)) == "crio.conf.d")


def _unreadable(display: str, exc: Exception) -> Finding:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return Finding("RCL003", f"cannot read runtime config: {reason}", display, Span(1, 1), field="read")


def load_runtime_sources(
    candidates: List[Tuple[str, str, bool]],
    display: Callable[[str], str],
    max_size: int,
) -> RuntimeSources:
    """candidates: (path, kind, explicit) with kind "toml", "crio" or "maybe-crio"."""
    out = RuntimeSources()
    if not candidates:
        return out
    from rclint.runtimes.containerd import load_containerd  # imported when there is something to load
    from rclint.runtimes.crio import find_crio_dropins, load_crio

    def read(path: str) -> str:
        return read_config_text(path, max_size)

    containerd_mains: List[str] = []
    crio_mains: List[str] = []
    crio_dropin_dirs: Dict[str, List[str]] = {}
    for path, kind, explicit in candidates:
        if kind == "maybe-crio" and os.path.getsize(path) > max_size:
            continue
        text = _sniff(path, max_size)
        if text is None:
            try:
                read(path)
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
            out.configs.append(load_containerd(path, read_text=read, display_path=display))
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
                dropins = find_crio_dropins(d)
                claimed.add(os.path.abspath(d))
        try:
            out.configs.append(load_crio(path, dropins, read_text=read, display_path=display))
        except (OSError, DecodeError) as exc:
            out.findings.append(_unreadable(display(path), exc))
    for d, files in sorted(crio_dropin_dirs.items()):
        if os.path.abspath(d) in claimed:
            continue
        out.files += len(files)
        try:
            out.configs.append(load_crio(None, find_crio_dropins(d), read_text=read, display_path=display))
        except (OSError, DecodeError, ValueError) as exc:
            out.findings.append(_unreadable(display(files[0]), exc))
    for cfg in out.configs:
        out.findings.extend(cfg.findings)
    out.configs.sort(key=lambda c: c.path)
    return out
