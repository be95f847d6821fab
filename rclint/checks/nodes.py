"""Checks that need to know the nodes: handler existence (RCL102) and the kubelet's cgroup
driver against the runtime's (RCL308). The RCL3xx findings about the config files themselves
come from the runtime loaders (rclint.runtimes)."""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional, Tuple

from rclint.checks import Context, check
from rclint.checks.references import closest
from rclint.kube.validation import is_dns1123_label
from rclint.model import Finding, Related, Severity
from rclint.runtimes.base import Handler, RuntimeConfig

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


@check("RCL102")
def unknown_handler(ctx: Context) -> Iterable[Finding]:
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
    kinds = {c.kind for p in pools for c in p.runtime_configs}
    if any(p.source == "node" for p in pools):
        kinds.add("containerd")
    for rc in inv.runtime_classes:
        handler = rc.handler_str
        if handler is None or not is_dns1123_label(handler) or handler in configured:
            continue
        hp = rc.handler_path
        guess = closest(handler, configured)
        if guess and {guess, handler} <= DISTINCT_RUNTIMES:
            guess = None  # runc for runsc would silently drop the sandbox: not a typo
        related = []
        hint = ""
        if guess:
            pool, h = configured[guess]
            hint = f'; did you mean "{guess}" (configured in {h.path})?'
            related.append(Related(h.path, h.span, f'runtime "{guess}" configured here'))
        count = f"{len(pools)} node pool{'s' if len(pools) != 1 else ''}"
        if unknown:
            count += f"; {unknown} more with unknown handlers not judged"
        errors = []
        if "containerd" in kinds:
            errors.append(f'"failed to get sandbox runtime: no runtime for "{handler}" is configured" (containerd)')
        if "crio" in kinds:
            errors.append(f'"failed to find runtime handler {handler} from runtime list" (CRI-O)')
        yield Finding(
            "RCL102",
            f'{rc.describe()}: handler "{handler}" is configured on no known node ({count}: {_pool_list(pools)}); '
            f"its pods fail with {' or '.join(errors)}{hint}",
            rc.path,
            rc.obj.value_span(hp),
            rc.obj.ref,
            tuple(related),
            field="handler",
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
