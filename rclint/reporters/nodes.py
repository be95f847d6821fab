"""`rclint nodes`: what rclint believes each node pool provides (text or JSON)."""

from __future__ import annotations

import json

from rclint.runtimes.versions import describe_lines
from rclint.textio import escape_surrogates, json_safe, visible


def _runtime(pool) -> str:
    if pool.source == "node":
        return "node"
    kinds = sorted({c.kind for c in pool.runtime_configs})
    return kinds[0] if len(kinds) == 1 else ("+".join(kinds) if kinds else "unknown")


def _sources(pool) -> list:
    out = [] if pool.source == "runtime-config" else [pool.path]
    for cfg in pool.runtime_configs:
        out.extend(s for s in cfg.sources if s not in out)
    return out


def _recognised(pool) -> list:
    """How each node runtime config file of the pool was recognised (rclint.classify)."""
    out = []
    for cfg in pool.runtime_configs:
        for i, src in enumerate(cfg.sources):
            if i == 0:
                how = cfg.recognised
            elif cfg.kind == "containerd" and cfg.semantics != "template":
                how = f"imported by {cfg.path}"
            else:
                how = "a drop-in CRI-O reads with " + cfg.path if cfg.path != src else cfg.recognised
            out.append({"path": src, "kind": cfg.kind, "how": how})
    return out


def _unknown_because(pool):
    reasons = [c.handlers_unknown for c in pool.runtime_configs if c.handlers_unknown]
    return reasons[0] if reasons and pool.handlers is None else None


def _handler_json(h) -> dict:
    table = h.table
    if table is not None:
        rtype = table.crio_runtime_type if table.crio_runtime_type is not None else table.runtime_type
        rpath, implicit = table.runtime_path, table.implicit
    else:
        rtype, rpath, implicit = None, None, False
    out = {
        "name": h.name,
        "kind": h.kind,
        "runtime_type": rtype,
        "runtime_path": rpath,
        "path": h.path,
        "line": None if implicit else h.span.line,
    }
    if h.features is not None:
        out["features"] = h.features
    if h.versions:
        out["versions"] = list(h.versions)
    return out


def _views_json(pool) -> list:
    """Per containerd loader model: what the runtime of those versions runs with."""
    out = []
    for cfg in pool.runtime_configs:
        for view in (cfg.views if cfg.kind == "containerd" else []):
            out.append({
                "config": cfg.path,
                "versions": list(view.versions),
                "semantics": view.semantics,
                "default_handler": view.default_handler,
                "handlers": list(view.handlers),
                "cri_plugin_loads": not view.failures,
                "failures": list(dict.fromkeys(view.failures)),
            })
    return out


def _runtime_versions(pool) -> dict:
    containerd = list(pool.versions)
    crio = [v for c in pool.runtime_configs if c.kind == "crio" for v in c.versions]
    declared = any(c.versions_declared for c in pool.runtime_configs)
    return {"containerd": containerd or None, "crio": crio[0] if crio else None, "declared": declared}


def pool_to_json(pool) -> dict:
    version = next((c.config_version for c in pool.runtime_configs if c.kind == "containerd"), None)
    return {
        "name": pool.name,
        "source": pool.source,
        "sources": _sources(pool),
        "runtime": _runtime(pool),
        "config_version": version,
        "default_handler": pool.default_handler,
        "labels": pool.labels,
        "taints": pool.taints,
        "nodes": pool.nodes,
        "handlers": None if pool.handlers is None else [_handler_json(h) for h in pool.handlers.values()],
        "runtime_versions": _runtime_versions(pool),
        "views": _views_json(pool),
        "recognised": _recognised(pool),
        "handlers_unknown": _unknown_because(pool),
        # what a Node object reports (status.nodeInfo.containerRuntimeVersion), e.g. "containerd://2.0.5"
        "reported_runtime": getattr(pool, "runtime_version", None),
    }


def _no_surrogates(value):
    """File names that are not UTF-8 with `\\xNN` escapes, so the JSON is valid UTF-8."""
    if isinstance(value, str):
        return escape_surrogates(value)
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_surrogates(v) for v in value]
    return value


def render_nodes(pools, fmt: str = "text") -> str:
    if fmt == "json":
        doc = _no_surrogates({"pools": [pool_to_json(p) for p in pools]})
        return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
    if not pools:
        return "no node pools: no Node objects, declared node-pool or containerd/CRI-O config found " \
               "(add one with --node-config PATH)\n"
    out = []
    for pool in pools:
        out.append(pool.describe())
        configs = pool.runtime_configs
        if pool.source == "node":
            version = getattr(pool, "runtime_version", None)
            shown = visible(version.replace("://", " ", 1)) if version else "not reported"
            out.append(f"  runtime: {shown} (status.nodeInfo of the Node, {visible(pool.path)})")
        for cfg in configs:
            how = "declared" if cfg.versions_declared else "inferred from the config"
            if cfg.semantics == "template":
                out.append(f"  runtime: {'containerd' if cfg.kind == 'containerd' else 'CRI-O'} (a template, not linted)")
            elif cfg.kind == "containerd":
                out.append(f"  runtime: containerd (config version {cfg.config_version or 1}); judged as "
                           f"{describe_lines(cfg.versions)} ({how})")
                for view in cfg.views:
                    if view.failures:
                        out.append(f"  {describe_lines(view.versions)} would not start its CRI plugin: "
                                   + "; ".join(dict.fromkeys(view.failures)))
            else:
                out.append("  runtime: CRI-O" + (f" {cfg.versions[0]} (declared)" if cfg.versions else ""))
        sources = _sources(pool)
        if sources:
            out.append("  sources: " + ", ".join(sources))
        for entry in _recognised(pool):
            out.append(f"  recognised: {entry['path']}: {entry['how']}")
        if pool.labels is not None:
            labels = ", ".join(f"{k}={v}" for k, v in sorted(pool.labels.items())) or "(none)"
            out.append(f"  labels: {labels}")
        if pool.taints:
            out.append("  taints: " + ", ".join(
                f"{t.get('key')}{'=' + str(t.get('value')) if t.get('value') else ''}:{t.get('effect')}" for t in pool.taints))
        default = pool.default_handler
        cfg = configs[0] if len(configs) == 1 else None
        if default is None:
            default_text = "(unknown)" if pool.source == "node" or pool.handlers is None else "(none)"
        elif default == "":
            default_text = "(reported, name not given)"
        elif cfg is not None and cfg.default_span is not None and cfg.default_path and cfg.default_explicit:
            default_text = f"{default}  ({cfg.default_path}:{cfg.default_span.line})"
        else:
            default_text = f"{default}  (built-in default)"
        out.append(f"  default handler: {default_text}")
        out.append("  handlers:")
        if pool.handlers is None:
            why = _unknown_because(pool)
            out.append("    (unknown: status.runtimeHandlers is empty or missing)" if pool.source == "node"
                       else f"    (unknown: {why})" if why else "    (unknown)")
        elif not pool.handlers:
            out.append("    (none)")
        else:
            for h in pool.handlers.values():
                j = _handler_json(h)
                where = "built-in" if j["line"] is None else f"{h.path}:{j['line']}"
                path = f", runtime_path {j['runtime_path']}" if j["runtime_path"] else ""
                feats = ""
                if h.features:
                    feats = " " + ",".join(f"{k}={str(v).lower()}" for k, v in sorted(h.features.items()))
                only = ""
                missing = pool.missing_on(h.name) if pool.versions else ()
                if missing:
                    only = f" only on {describe_lines(h.versions)}"
                out.append(f"    {h.name:<24} {j['runtime_type'] or '-'} [{h.kind}]{path}{feats}{only}  ({where})")
        for c in configs:
            for note in c.notes:
                out.append(f"  note: {note}")
        out.append("")
    # every line holds names, labels and paths from the scanned tree: no controls, no escapes
    return "\n".join(visible(line) for line in out)
