"""Which input files are node runtime configs, and how they group into node pools.

What a file is comes from `rclint.classify.recognise` (explicit naming, the decoded top level,
the name and location), never from a pattern over the text. A `crio.conf` takes the drop-ins
of the `crio.conf.d/` directory next to it; drop-ins without a `crio.conf` beside them form a
pool of their own. Every containerd config follows its imports; a file that another config
imports is part of that config, never a pool of its own. A template (placeholders filled in
when the node starts) is reported once (RCL005) and its pool's handlers are unknown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from rclint.classify import CONTAINERD, CRIO, Recognition, containerd_by_name, crio_by_name, find_placeholder, recognise
from rclint.fspolicy import FsPolicy, Refused
from rclint.model import Finding, Span
from rclint.textio import DecodeError, decode

if TYPE_CHECKING:  # imported where a config is built: a run without runtime configs never needs it
    from rclint.runtimes.base import RuntimeConfig

TEMPLATE_UNKNOWN = "a template: its values are filled in when the node starts"


@dataclass
class RuntimeSources:
    """The runtime configs read from the candidates, with the findings about reading them."""

    configs: List[RuntimeConfig] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


def read_config_text(path: str, max_size: int, policy: Optional[FsPolicy] = None, explicit: bool = False) -> str:
    """Read a runtime config file as text through the filesystem policy (inside the scanned
    roots unless the user named it, regular, bounded); OSError/DecodeError are the caller's."""
    policy = policy or FsPolicy(trusted=[path])
    return decode(policy.read_bytes(path, trusted=explicit or None, max_size=max_size))


def _crio_dir(path: str) -> Optional[str]:
    """The crio.conf.d directory a drop-in lives in (CRI-O reads it recursively), or None."""
    parts = path.replace(os.sep, "/").split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "crio.conf.d":
            return "/".join(parts[: i + 1]) or "/"
    return None


def _unreadable(display: str, exc: Exception) -> Finding:
    if isinstance(exc, Refused) and exc.kind != "size":
        return exc.finding("runtime config", display)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return Finding("RCL003", f"cannot read runtime config: {reason}", display, Span(1, 1), field="read")


def template_finding(kind: str, display: str, placeholder: Tuple[Span, str]) -> Finding:
    span, token = placeholder
    token = token if len(token) <= 32 else token[:29] + "..."
    runtime = "containerd" if kind == CONTAINERD else "CRI-O"
    flag = "--node-config RENDERED.toml" if kind == CONTAINERD else "--node-config RENDERED.conf"
    return Finding(
        "RCL005",
        f"{runtime} config template ({token}) was not linted",
        display,
        span,
        field="template",
        help=f"render it as the node would, then lint the result: rclint check {flag}",
        notes=(f"the placeholders are filled in when the node starts, so the values {runtime} runs with are "
               "unknown here; this pool's runtime handlers count as unknown",),
    )


def _template_config(kind: str, path: str, rec: Recognition, display: Callable[[str], str],
                     extra_sources: Sequence[str] = (),
                     template: Optional[Tuple[str, Tuple[Span, str]]] = None) -> RuntimeConfig:
    """The config of a pool one of whose files is a template (`template`: that file and its first
    placeholder; default: the main file's own)."""
    from rclint.runtimes.base import RuntimeConfig

    tpath, placeholder = template if template is not None else (path, rec.template)
    assert placeholder is not None
    shown = display(path)
    return RuntimeConfig(
        kind=kind, path=shown, sources=[shown] + [display(p) for p in extra_sources], handlers={},
        findings=[template_finding(kind, display(tpath), placeholder)], semantics="template",
        recognised=rec.reason, handlers_unknown=TEMPLATE_UNKNOWN,
    )


@dataclass
class _Candidate:
    """A file recognised as a runtime config, with its text."""

    path: str
    text: str
    rec: Recognition
    named: bool


def _priority(c: _Candidate) -> Tuple[int, str]:
    """Which config is the main one when configs import each other: named, then conventionally
    located, then by path."""
    return (0 if c.named else 1 if containerd_by_name(c.path) else 2, c.path)


def _mains_only(configs: List[Tuple[_Candidate, RuntimeConfig]]) -> List[RuntimeConfig]:
    """Drop every config another one imports; in an import cycle the first by _priority stays."""
    imported = {src for _cand, cfg in configs for src in cfg.sources[1:]}
    kept: List[RuntimeConfig] = []
    covered = set()
    ordered = sorted(configs, key=lambda pair: (pair[1].path in imported, _priority(pair[0])))
    for cand, cfg in ordered:
        if cfg.path in covered:
            continue
        kept.append(cfg)
        covered.update(cfg.sources)
    return kept


def load_runtime_sources(
    candidates,
    display: Callable[[str], str],
    max_size: int,
    policy: Optional[FsPolicy] = None,
    versions_for: Optional[Callable[[str], Tuple[Optional[tuple], Optional[str]]]] = None,
) -> RuntimeSources:
    """candidates: discovered or named files (`rclint.discovery.InputFile` with kind "node").
    policy: the run's filesystem policy (default: every candidate path is trusted).
    versions_for: display path of a main config -> (containerd release lines, CRI-O version)
    declared for the pool it belongs to (None: infer from the config)."""
    out = RuntimeSources()
    candidates = [c for c in candidates if c.path is not None]
    if candidates:  # the loaders are imported only when there is something to load
        from rclint.runtimes.containerd import detect_node_root, load_containerd
        from rclint.runtimes.crio import load_crio
    if policy is None:
        policy = FsPolicy(trusted=[c.path for c in candidates], max_size=max_size)
        for c in candidates:
            policy.add_root(os.path.dirname(os.path.abspath(c.path)))
    explicit_paths = {os.path.abspath(c.path) for c in candidates if c.explicit or getattr(c, "named", None)}

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

    containerd_mains: List[_Candidate] = []
    crio_mains: List[_Candidate] = []
    crio_dropin_dirs: Dict[str, List[_Candidate]] = {}
    for inp in candidates:
        path = inp.path
        named = getattr(inp, "named", None)
        explicit = bool(getattr(inp, "explicit", False))
        speaks_up = explicit or bool(named) or bool(containerd_by_name(path) or crio_by_name(path))
        try:
            text = read_config_text(path, max_size, policy, explicit or bool(named))
        except (OSError, DecodeError) as exc:
            if speaks_up:
                out.findings.append(_unreadable(display(path), exc))
            continue
        rec = recognise(path, text, named=named, given=explicit and not named)
        if rec.kind is None:
            continue
        cand = _Candidate(path, text, rec, bool(named))
        out.bytes += len(text)
        crio_d = _crio_dir(path) if rec.kind == CRIO and not named else None
        if rec.kind == CONTAINERD:
            containerd_mains.append(cand)
        elif crio_d is not None:  # CRI-O reads every file there; a broken one stops it
            crio_dropin_dirs.setdefault(crio_d, []).append(cand)
        else:
            crio_mains.append(cand)

    loaded: List[Tuple[_Candidate, RuntimeConfig]] = []
    for cand in containerd_mains:
        out.files += 1
        if cand.rec.template is not None:
            loaded.append((cand, _template_config(CONTAINERD, cand.path, cand.rec, display)))
            continue
        texts: Dict[str, str] = {}
        root = detect_node_root(cand.path)
        read = reader(cand.path, root)

        def read_recording(path: str, main: _Candidate = cand, read: Callable[[str], str] = read) -> str:
            # the main file was read to recognise it (a pipe can be read only once); imports
            # are read here, once each
            text = texts.get(path)
            if text is None:
                text = main.text if path == main.path and main.text is not None else read(path)
                texts[path] = text
            return text

        try:
            cfg = load_containerd(cand.path, read_text=read_recording, display_path=display,
                                  glob=policy.globber(policy.region(cand.path, root)),
                                  versions=declared(cand.path)[0])
        except (OSError, DecodeError) as exc:
            out.findings.append(_unreadable(display(cand.path), exc))
            continue
        cfg.recognised = cand.rec.reason
        _imported_templates(cfg, texts, cand.path, display)
        loaded.append((cand, cfg))
    out.configs = _mains_only(loaded)

    claimed = set()
    for cand in crio_mains:
        out.files += 1
        path = cand.path
        dropins: List[str] = []
        if os.path.basename(path) == "crio.conf":
            d = os.path.join(os.path.dirname(path), "crio.conf.d")
            if os.path.isdir(d):
                dropins = dropins_of(d, path)
                claimed.add(os.path.abspath(d))
        read_file = reader(path, None)

        def read(p: str, main: _Candidate = cand, read_file: Callable[[str], str] = read_file) -> str:
            # the main file was read to recognise it (a pipe can be read only once)
            return main.text if p == main.path and main.text is not None else read_file(p)

        template = _first_template(cand, dropins, read)
        if template is not None:
            out.configs.append(_template_config(CRIO, path, cand.rec, display, dropins, template))
            continue
        try:
            cfg = load_crio(path, dropins, read_text=read, display_path=display, crio_version=declared(path)[1])
        except (OSError, DecodeError) as exc:
            out.findings.append(_unreadable(display(path), exc))
            continue
        cfg.recognised = cand.rec.reason
        out.configs.append(cfg)
    for d, files in sorted(crio_dropin_dirs.items()):
        if os.path.abspath(d) in claimed:
            continue
        out.files += len(files)
        dropins = dropins_of(d, d)
        first = files[0]
        read = reader(d, None)
        template = _first_template(None, dropins, read)
        if template is not None:
            out.configs.append(_template_config(CRIO, dropins[0], first.rec, display, dropins[1:], template))
            continue
        try:
            cfg = load_crio(None, dropins, read_text=read, display_path=display,
                            crio_version=declared(first.path)[1])
        except (OSError, DecodeError, ValueError) as exc:
            out.findings.append(_unreadable(display(first.path), exc))
            continue
        cfg.recognised = first.rec.reason
        out.configs.append(cfg)
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


def _first_template(main: Optional[_Candidate], dropins: Sequence[str],
                    read: Callable[[str], str]) -> Optional[Tuple[str, Tuple[Span, str]]]:
    """The first file of a CRI-O config (main, then drop-ins) holding a template placeholder."""
    if main is not None and main.rec.template is not None:
        return main.path, main.rec.template
    for path in dropins:
        try:
            found = find_placeholder(read(path))
        except (OSError, DecodeError):
            continue
        if found is not None:
            return path, found
    return None


def _imported_templates(cfg: RuntimeConfig, texts: Dict[str, str], main: str, display: Callable[[str], str]) -> None:
    """An imported file that is a template: reported once, not linted, the handlers unknown."""
    for path, text in texts.items():
        if os.path.normpath(path) == os.path.normpath(main):
            continue
        found = find_placeholder(text)
        if found is None:
            continue
        shown = display(path)
        cfg.findings = [f for f in cfg.findings if f.path != shown] + [template_finding(CONTAINERD, shown, found)]
        cfg.handlers_unknown = cfg.handlers_unknown or f"imports a template ({shown})"
