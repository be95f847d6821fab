"""Node pools: where pods can land, merged from three sources.

- Node objects in the inputs: labels, taints, and `status.runtimeHandlers` when non-empty (an
  empty or missing list means "unknown", never "none"); each Node is a pool of one node.
- Pools declared in the configuration (`[[tool.rclint.node-pool]]`): name, labels, taints and
  the runtime configs of their nodes (a runtime config named by a pool belongs to it only).
- Every other discovered runtime config (with its imports or drop-ins): a pool of its own,
  untainted, whose labels are unknown.

Rules judge by the pools whose data is known; unknown ones neither satisfy nor violate them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from rclint.kube.scheduling import classify_handler_name
from rclint.model import Span

if TYPE_CHECKING:  # annotations only: a run without runtime configs never imports them
    from rclint.runtimes.base import Handler, RuntimeConfig


# On a Node object, the number of identical nodes it stands for (written by `rclint snapshot`).
NODE_COUNT_ANNOTATION = "rclint.io/node-count"


@dataclass
class PoolHandler:
    """A runtime handler a node pool provides."""

    name: str
    kind: str  # runc | vm | gvisor | windows | wasm | other | unknown
    path: str
    span: Span
    table: Optional[Handler] = None  # the runtime table, when a runtime config defines it
    features: Optional[dict] = None  # Node status.runtimeHandlers[].features
    versions: Tuple[str, ...] = ()  # containerd release lines on which it exists (empty: all)


@dataclass
class NodePool:
    """Nodes a pod may land on: from a Node object, a declared node pool, or a runtime config alone."""

    name: str
    source: str  # "node" | "config" | "runtime-config"
    path: str
    span: Span
    labels: Optional[Dict[str, str]]  # None: unknown
    taints: List[dict] = field(default_factory=list)
    handlers: Optional[Dict[str, PoolHandler]] = None  # None: unknown
    default_handler: Optional[str] = None
    runtime_configs: List[RuntimeConfig] = field(default_factory=list)
    nodes: Optional[int] = None
    node_name: Optional[str] = None
    # containerd release lines the pool may run (declared or inferred; empty: not containerd)
    versions: Tuple[str, ...] = ()
    # a Node's status.nodeInfo.containerRuntimeVersion, e.g. "containerd://1.7.22", "cri-o://1.30.4"
    runtime_version: Optional[str] = None

    def describe(self) -> str:
        if self.source == "node":
            if self.nodes and self.nodes > 1:
                return f"node {self.node_name} and {self.nodes - 1} like it"
            return f"node {self.node_name}"
        count = f" ({self.nodes} node{'s' if self.nodes != 1 else ''})" if self.nodes else ""
        return f"pool {self.name}{count}"

    def has(self, handler: str) -> Optional[bool]:
        """True/False when the pool's handlers are known, None when they are not, or when the
        handler exists on only some of the containerd versions the pool may run."""
        if self.handlers is None:
            return None
        if handler not in self.handlers:
            return False
        return None if self.missing_on(handler) else True

    def missing_on(self, handler: str) -> Tuple[str, ...]:
        """The containerd release lines of this pool on which `handler` does not exist."""
        h = (self.handlers or {}).get(handler)
        if h is None:
            return self.versions
        if not h.versions:
            return ()
        return tuple(v for v in self.versions if v not in h.versions)


def _handlers_from_configs(configs: List[RuntimeConfig]) -> Optional[Dict[str, PoolHandler]]:
    if any(c.handlers_unknown is not None for c in configs):
        return None  # a handler missing from the known files may be in the unknown one
    known = [c for c in configs if c.path not in c.broken_sources]
    if not known:
        return None
    out: Dict[str, PoolHandler] = {}
    for cfg in known:
        for name, h in cfg.handlers.items():
            out.setdefault(name, PoolHandler(name, h.kind or "unknown", h.path, h.span, table=h,
                                             versions=h.versions if cfg.kind == "containerd" else ()))
    return out


def _versions(configs: List[RuntimeConfig]) -> Tuple[str, ...]:
    out: List[str] = []
    for cfg in configs:
        if cfg.kind == "containerd":
            out.extend(v for v in cfg.versions if v not in out)
    return tuple(out)


def _node_pool(obj) -> NodePool:
    labels = obj.get(("metadata", "labels"))
    labels = {str(k): v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {}
    taints = obj.get(("spec", "taints"))
    taints = [t for t in taints if isinstance(t, dict)] if isinstance(taints, list) else []
    entries = obj.get(("status", "runtimeHandlers"))
    version = obj.get(("status", "nodeInfo", "containerRuntimeVersion"))
    handlers: Optional[Dict[str, PoolHandler]] = None
    default = None
    if isinstance(entries, list) and entries:
        handlers = {}
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("name", ""), str):
                continue
            name = entry.get("name") or ""
            features = entry.get("features") if isinstance(entry.get("features"), dict) else None
            span = obj.value_span(("status", "runtimeHandlers", i))
            if name == "":
                default = ""
                continue  # the default handler: its name is not reported
            handlers[name] = PoolHandler(name, classify_handler_name(name) or "unknown", obj.path, span,
                                         features=features)
    return NodePool(
        name=f"node/{obj.name}", source="node", path=obj.path, span=obj.value_span(("metadata", "name")),
        labels=labels, taints=taints, handlers=handlers, default_handler=default, nodes=_node_count(obj),
        node_name=obj.name, runtime_version=version if isinstance(version, str) and version else None,
    )


def _node_count(obj) -> int:
    """How many nodes a Node object stands for: 1, or the count a cluster snapshot folded into it."""
    text = obj.get(("metadata", "annotations", NODE_COUNT_ANNOTATION))
    if isinstance(text, str) and text.isdigit() and 0 < len(text) <= 9:
        return int(text)
    return 1


def build_pools(inventory, settings) -> List[NodePool]:
    from rclint.settings import display_path

    pools: List[NodePool] = []
    for obj in inventory.nodes:
        pools.append(_node_pool(obj))
    claimed = set()
    spans = _declaration_spans(getattr(settings, "node_pools", []))
    for decl in getattr(settings, "node_pools", []):
        wanted = {display_path(p) for p in decl.runtime_configs}
        configs = [c for c in inventory.runtime_configs if c.path in wanted or any(s in wanted for s in c.sources)]
        claimed.update(id(c) for c in configs)
        default = configs[0].default_handler if configs and configs[0].handlers_unknown is None else None
        pools.append(NodePool(
            name=decl.name, source="config", path=display_path(decl.source), span=spans.get(decl.name, Span(1, 1)),
            labels=dict(decl.labels), taints=list(decl.taints),
            handlers=_handlers_from_configs(configs) if configs else None,
            default_handler=default, runtime_configs=configs, nodes=decl.nodes, versions=_versions(configs),
        ))
    for cfg in inventory.runtime_configs:
        if id(cfg) in claimed:
            continue
        pools.append(NodePool(
            name=cfg.path, source="runtime-config", path=cfg.path, span=Span(1, 1), labels=None, taints=[],
            handlers=_handlers_from_configs([cfg]), runtime_configs=[cfg],
            default_handler=cfg.default_handler if cfg.handlers_unknown is None else None,
            versions=_versions([cfg]),
        ))
    return pools


def _declaration_spans(decls) -> Dict[str, Span]:
    """Where each declared pool's `name = ...` is written in its configuration file."""
    out: Dict[str, Span] = {}
    if not decls:
        return out
    from rclint.fspolicy import read_config_file
    from rclint.tomlsource import TomlSyntaxError, load_toml

    for source in sorted({d.source for d in decls}):
        try:
            doc = load_toml(read_config_file(source).decode("utf-8"))
        except (OSError, UnicodeDecodeError, TomlSyntaxError):
            continue
        base = ("tool", "rclint", "node-pool") if source.endswith("pyproject.toml") else ("node-pool",)
        entries = doc.get(base) if hasattr(doc, "get") else None
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                span = doc.key_span(base + (i, "name")) or doc.table_span(base + (i,))
                if span is not None:
                    out.setdefault(entry["name"], span)
    return out


def pool_display_kind(pool: NodePool) -> str:
    if pool.source == "node":
        return "node"
    kinds = {c.kind for c in pool.runtime_configs}
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "unknown")


def relpath(path: str) -> str:
    return os.path.relpath(path).replace(os.sep, "/")
