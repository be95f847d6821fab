"""Checks that need to know the nodes: handler existence (RCL102) and the kubelet's cgroup
driver against the runtime's (RCL308). The RCL3xx findings about the config files themselves
come from the runtime loaders (rclint.runtimes)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, List, Optional, Tuple

from rclint.checks import Context, check
from rclint.kube.validation import is_dns1123_label
from rclint.model import Finding, Related, Severity
from rclint.suggest import Suggester

if TYPE_CHECKING:  # annotations only (start-up)
    from rclint.runtimes.base import RuntimeConfig

# real, different runtimes whose names are close: never suggest one for the other
DISTINCT_RUNTIMES = frozenset(["runc", "runsc", "crun", "youki", "kata", "gvisor", "runj", "krun"])

NO_NODE_SOURCE = (
    "no node runtime config (containerd config.toml, CRI-O crio.conf) in the inputs: "
    "node-dependent rules (RCL102) were skipped; add one with --node-config PATH"
)  # the wording predates Node objects and declared pools, which count as node sources too


def known_pools(ctx: Context):
    """Node pools whose handler set is known (an empty Node status.runtimeHandlers is not)."""
    return [p for p in ctx.inventory.pools if p.handlers is not None]


def _pool_list(pools) -> str:
    names = [p.describe() for p in pools]
    if len(names) <= 3:
        return ", ".join(names)
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


CONTAINERD_1X_ERROR = ('containerd 1.x: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get '
                      'sandbox runtime: no runtime for "{h}" is configured`')
CONTAINERD_2X_ERROR = ('containerd 2.x: `Failed to create pod sandbox: rpc error: code = Unknown desc = unable to get OCI '
                       'runtime for sandbox "<id>": no runtime for "{h}" is configured`')
CRIO_ERROR = "CRI-O: `failed to find runtime handler {h} from runtime list map[...]`"


def _runtime_errors(pools, handler: str, lines) -> List[str]:
    """The sandbox error each runtime the pods may meet reports (pkg/cri/server/sandbox_run.go in
    containerd 1.6/1.7, internal/cri/server/sandbox_run.go in 2.x; CRI-O internal/oci/oci.go)."""
    kinds = {c.kind for p in pools for c in p.runtime_configs}
    lines = list(lines)
    unknown_version = False
    for p in pools:
        if p.source != "node":
            continue
        reported = (p.runtime_version or "").lower()  # status.nodeInfo.containerRuntimeVersion
        if reported.startswith("containerd://"):
            kinds.add("containerd")
            lines.append(reported[len("containerd://"):].lstrip("v")[:1] + ".x")
        elif reported.startswith("cri-o://"):
            kinds.add("crio")
        else:
            unknown_version = True
    out = []
    if "containerd" in kinds or unknown_version:
        if unknown_version or not lines or any(v.startswith("1.") for v in lines):
            out.append(CONTAINERD_1X_ERROR.format(h=handler))
        if unknown_version or not lines or any(v.startswith("2.") for v in lines):
            out.append(CONTAINERD_2X_ERROR.format(h=handler))
    if "crio" in kinds:
        out.append(CRIO_ERROR.format(h=handler))
    return out


def _table_to_add(pools, handler: str) -> str:
    for p in pools:
        for cfg in p.runtime_configs:
            if cfg.kind == "crio":
                return f"[crio.runtime.runtimes.{handler}] table to crio.conf or a crio.conf.d drop-in"
            old = all(v.startswith("1.") for v in cfg.versions) if cfg.versions else (cfg.config_version or 1) < 3
            base = 'plugins."io.containerd.grpc.v1.cri"' if old else 'plugins."io.containerd.cri.v1.runtime"'
            return f"[{base}.containerd.runtimes.{handler}] table (with its runtime_type) to the node's containerd config"
    return f"runtime table named {handler!r} to the nodes' container runtime config"


@check("RCL102")
def unknown_handler(ctx: Context) -> Iterable[Finding]:
    from rclint.runtimes.versions import describe_lines

    inv = ctx.inventory
    pools = known_pools(ctx)
    if not pools:
        if inv.runtime_classes:
            ctx.note(NO_NODE_SOURCE)
        return
    unknown = len(inv.pools) - len(pools)
    configured = {}
    for pool in pools:
        for name, handler in pool.handlers.items():
            configured.setdefault(name, (pool, handler))
    suggester = Suggester(configured)
    for rc in inv.runtime_classes:
        handler = rc.handler_str
        if handler is None or not is_dns1123_label(handler):
            continue
        if any(p.has(handler) is True for p in pools):
            continue
        # present on some of the containerd versions a pool may run: name the others
        partial = [p for p in pools if p.handlers and handler in p.handlers]
        missing: List[str] = []
        for p in partial:
            missing.extend(v for v in p.missing_on(handler) if v not in missing)
        if partial and not missing:
            continue
        hp = rc.handler_path
        related = []
        notes: List[str] = []
        where = f" running {describe_lines(missing)}" if partial else ""
        message = f'{rc.describe()}: handler "{handler}" is configured on no known node{where}'
        guess = None if partial else suggester.closest(handler)
        if guess and {guess, handler} <= DISTINCT_RUNTIMES:
            guess = None  # runc for runsc would silently drop the sandbox: not a typo
        if guess:
            pool, h = configured[guess]
            help_ = f'Did you mean handler: "{guess}" (configured in {h.path})?'
            related.append(Related(h.path, h.span, f'runtime "{guess}" configured here'))
        elif partial:
            help_ = ("Declare the pool's containerd version (`containerd = \"2.1\"` in its [[node-pool]]) if it runs "
                     f"none of {describe_lines(missing)}; else add a {_table_to_add(partial, handler)}")
        else:
            help_ = f"Add a {_table_to_add(pools, handler)}, or use the name of a configured runtime"
        for p in partial:
            h = p.handlers[handler]
            related.append(Related(h.path, h.span, f'runtime "{handler}" exists here on {describe_lines(h.versions)}'))
        for p in pools:
            for cfg in p.runtime_configs:
                dropped = getattr(cfg, "dropped_handlers", {}).get(handler)
                if dropped:
                    reason, path, span = dropped
                    notes.append(f'CRI-O ignores the [crio.runtime.runtimes.{handler}] table: `Runtime handler '
                                 f'"{handler}" is being ignored due to: {reason}`')
                    related.append(Related(path, span, f'runtime "{handler}" is defined here but fails validation'))
        notes.append("pods are accepted and scheduled, then every sandbox fails: "
                     + "; ".join(_runtime_errors(partial or pools, handler,
                                                 missing or [v for p in pools for v in p.versions])))
        count = f"judged against {len(pools)} node pool{'s' if len(pools) != 1 else ''}: {_pool_list(pools)}"
        if unknown:
            count += f"; {unknown} more with unknown handlers not judged"
        notes.append(count)
        yield Finding(
            "RCL102", message, rc.path, rc.obj.value_span(hp), rc.obj.ref, tuple(related), field="handler",
            help=help_, notes=tuple(dict.fromkeys(notes)),
        )


# --------------------------------------------------------------------------- RCL308

_KUBELET_DIRS = ("var/lib/kubelet/", "etc/kubernetes/", "etc/kubelet/", "etc/default/")


def _node_root_of_kubelet(path: str) -> Optional[str]:
    p = os.path.abspath(path).replace(os.sep, "/")
    for marker in _KUBELET_DIRS:
        i = p.find("/" + marker)
        if i >= 0:
            return p[: i + 1]
    return None


def _pair_kubelets(ctx: Context) -> List[Tuple[RuntimeConfig, object]]:
    """A KubeletConfiguration belongs to the runtime config under the same node root; when the
    inputs hold exactly one of each, they belong together."""
    configs = ctx.inventory.runtime_configs
    kubelets = ctx.inventory.kubelet_configs
    pairs = []
    for cfg in configs:
        root = os.path.abspath(cfg.node_root).replace(os.sep, "/").rstrip("/") + "/" if cfg.node_root else None
        for kc in kubelets:
            if root and _node_root_of_kubelet(kc.path) == root:
                pairs.append((cfg, kc))
    if not pairs and len(configs) == 1 and len(kubelets) == 1:
        pairs.append((configs[0], kubelets[0]))
    return pairs


def _setting_text(cfg: RuntimeConfig, setting) -> str:
    if cfg.kind == "crio":
        how = "cgroup_manager" if setting.explicit else "cgroup_manager (default)"
        return f'CRI-O {how} = "{setting.driver}"'
    how = "SystemdCgroup = true" if setting.driver == "systemd" else "SystemdCgroup = false"
    if not setting.explicit:
        how += " (default)"
    return f'containerd runtime "{setting.handler}" {how}'


@check("RCL308")
def cgroup_driver_mismatch(ctx: Context) -> Iterable[Finding]:
    for cfg in ctx.inventory.runtime_configs:
        if cfg.kind == "containerd" and cfg.runc_handlers_disagree():
            settings = [s for s in cfg.cgroup_settings if s.handler is not None]
            decider = cfg.cgroup_driver_setting
            for s in settings:
                if s.driver == decider.driver:
                    continue
                yield Finding(
                    "RCL308",
                    f'runtime "{s.handler}" uses cgroup driver {s.driver}, other runc runtimes use {decider.driver}',
                    s.path, s.span, None,
                    (Related(decider.path, decider.span, f'runtime "{decider.handler}" sets {decider.driver} here'),),
                    field=s.field, severity=Severity.WARNING,
                    help=f"SystemdCgroup = {'true' if decider.driver == 'systemd' else 'false'} in runtime "
                         f'"{s.handler}"\'s options',
                    notes=(f"{_setting_text(cfg, s)}, but {_setting_text(cfg, decider)}",
                           "containerd documents that all runc handlers must share one setting; pods of the odd "
                           "one out fail or get the wrong cgroup parent"),
                )
    for cfg, kc in _pair_kubelets(ctx):
        setting = cfg.cgroup_driver_setting
        if setting is None:
            continue  # containerd with no runc-type handler: the host decides
        value = kc.get(("cgroupDriver",))
        kubelet_driver = value if isinstance(value, str) else "cgroupfs"
        if kubelet_driver == setting.driver:
            continue
        if value is None:
            kspan, kwhat = kc.value_span(("kind",)), "cgroupDriver is not set, so it defaults to cgroupfs"
        else:
            kspan, kwhat = kc.value_span(("cgroupDriver",)), f'cgroupDriver is "{kubelet_driver}"'
        if setting.driver == "systemd":
            symptom = 'runc fails with: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups'
        else:
            symptom = "pods fail to start: the kubelet asks for systemd slices the runtime does not create"
        fix = ("cgroupDriver: systemd in the KubeletConfiguration" if setting.driver == "systemd"
               else "cgroupDriver: cgroupfs in the KubeletConfiguration, or switch the runtime to systemd")
        yield Finding(
            "RCL308",
            f"the runtime's cgroup driver is {setting.driver}, the kubelet's is {kubelet_driver}",
            setting.path, setting.span, None,
            (Related(kc.path, kspan, f"kubelet {kwhat}"),),
            field=setting.field,
            help=fix,
            notes=(f"{_setting_text(cfg, setting)}; kubelet {kwhat} ({kc.path})", symptom,
                   "kubelets from 1.31 take the driver from runtimes that report it (containerd 2.x, CRI-O 1.28+); "
                   "older ones use their own setting"),
        )
