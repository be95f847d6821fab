"""`rclint nodes`: what rclint believes each node pool provides (text or JSON)."""

from __future__ import annotations

import json


def pool_to_json(cfg) -> dict:
    return {
        "name": cfg.path,
        "sources": list(cfg.sources),
        "runtime": cfg.kind,
        "config_version": cfg.config_version,
        "default_handler": cfg.default_handler,
        "handlers": [
            {
                "name": h.name,
                "runtime_type": h.crio_runtime_type if cfg.kind == "crio" else h.runtime_type,
                "runtime_path": h.runtime_path,
                "path": h.path,
                "line": None if h.implicit else h.span.line,
            }
            for h in cfg.handlers.values()
        ],
    }


def render_nodes(pools, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"pools": [pool_to_json(p) for p in pools]}, indent=2, ensure_ascii=False) + "\n"
    if not pools:
        return "no node pools: no containerd or CRI-O config found (add one with --node-config PATH)\n"
    out = []
    for cfg in pools:
        runtime = f"containerd (config version {cfg.config_version or 1}, {cfg.semantics} rules)" \
            if cfg.kind == "containerd" else "CRI-O"
        out.append(f"pool {cfg.path}")
        out.append(f"  runtime: {runtime}")
        out.append("  sources: " + ", ".join(cfg.sources))
        default = cfg.default_handler or "(none)"
        if cfg.default_span is not None and cfg.default_path and cfg.default_explicit:
            default += f"  ({cfg.default_path}:{cfg.default_span.line})"
        elif cfg.default_handler:
            default += "  (built-in default)"
        out.append(f"  default handler: {default}")
        out.append("  handlers:")
        if not cfg.handlers:
            out.append("    (none)")
        for h in cfg.handlers.values():
            rtype = h.crio_runtime_type if cfg.kind == "crio" else h.runtime_type
            where = "built-in" if h.implicit else f"{h.path}:{h.span.line}"
            path = f", runtime_path {h.runtime_path}" if h.runtime_path else ""
            out.append(f"    {h.name:<24} {rtype or '-'} [{h.kind}]{path}  ({where})")
        for note in cfg.notes:
            out.append(f"  note: {note}")
        out.append("")
    return "\n".join(out)
