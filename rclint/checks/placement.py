"""Where pods can actually run: RuntimeClass scheduling against node pools, the admission
plugin's merges, and the pod's own placement (RCL103-RCL107, RCL110-RCL112).

Pools whose labels or handlers are unknown neither satisfy nor violate a rule; messages say
how many were left out.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

from rclint.checks import Context, check
from rclint.checks.references import referenced_class
from rclint.kube.objects import PodSpecRef
from rclint.kube.quantity import quantities_equal
from rclint.kube.runtimeclass import RuntimeClassView
from rclint.kube.scheduling import (
    blocking_taints,
    classify_handler_name,
    merge_node_selector,
    merge_tolerations,
    node_selector_matches,
    os_of_handler_kind,
    pod_os_matches,
    required_affinity_matches,
)
from rclint.kube.validation import is_dns1123_label
from rclint.model import Finding, Related, format_path
from rclint import perf
from rclint.perf import memo
from rclint.pools import NodePool

OS_LABEL = "kubernetes.io/os"


# --------------------------------------------------------------------------- helpers


def _names(pools: List[NodePool], limit: int = 3) -> str:
    names = [p.describe() for p in pools]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"




def _pool_related(pool: NodePool, message: str) -> Related:
    return Related(pool.path, pool.span, message)


def _taint_text(t: dict) -> str:
    value = t.get("value")
    return f"{t.get('key')}{'=' + str(value) if value not in (None, '') else ''}:{t.get('effect')}"




def _selector_matches(pool: NodePool, selector) -> Optional[bool]:
    if not selector:
        return True
    if pool.labels is None:
        return None
    return node_selector_matches(selector, pool.labels)


def _rc_handler(rc: RuntimeClassView) -> Optional[str]:
    h = rc.handler_str
    return h if h is not None and is_dns1123_label(h) else None


def _rc_scheduling_point(rc: RuntimeClassView) -> Tuple[tuple, bool]:
    """(path, is_key): the `scheduling` key when present, else the handler value."""
    if rc.obj.has(rc.field_path("scheduling")):
        return rc.field_path("scheduling"), True
    return rc.handler_path, False


def _rc_finding(code: str, rc: RuntimeClassView, path: tuple, key: bool, message: str, related=(), field="",
                help: str = "", notes=()) -> Finding:
    span = rc.obj.key_span(path) if key else rc.obj.value_span(path)
    return Finding(code, message, rc.path, span, rc.obj.ref, tuple(related), field=field or format_path(path),
                   help=help, notes=tuple(notes))


def _pod_finding(code: str, ref: PodSpecRef, path: tuple, message: str, related=(), key: bool = False,
                 severity=None, help: str = "", notes=()) -> Finding:
    span = ref.obj.key_span(path) if key else ref.obj.value_span(path)
    return Finding(code, message, ref.obj.path, span, ref.obj.ref, tuple(related), field=format_path(path),
                   severity=severity, help=help, notes=tuple(notes))


POOLS_NOTE = "`rclint nodes` lists every node pool rclint knows, with its labels, taints and handlers"


def _rejected(ref: PodSpecRef) -> str:
    return "the API server rejects the pod" if ref.obj.kind == "Pod" else \
        f"every pod this {ref.obj.kind} creates is rejected"


def pods_with_classes(ctx: Context) -> List[Tuple[PodSpecRef, RuntimeClassView]]:
    """Every pod spec naming a RuntimeClass defined in the inputs, with that class (computed once)."""
    out = memo(ctx, "pods_with_classes").get("all")
    if out is None:
        out = []
        for ref in ctx.inventory.pod_specs:
            name = referenced_class(ref)
            if name is None:
                continue
            rc = ctx.inventory.runtime_class(name)
            if rc is not None:
                out.append((ref, rc))
        memo(ctx, "pods_with_classes")["all"] = out
    return out


def placement_key(*values) -> str:
    """A hashable key for placement inputs taken from YAML (dicts, lists, scalars).

    repr keeps types apart (True vs 1, "1" vs 1), so two inputs share a key only when equal."""
    return repr(values)


def _pools_with(ctx: Context, handler: str) -> List[NodePool]:
    """Pools whose handlers are known to include `handler` (in pool order)."""
    table = memo(ctx, "pools_with")
    out = table.get(handler)
    if out is None:
        out = table[handler] = [p for p in ctx.inventory.pools if p.has(handler)]
    return out


def reachable_pools(ctx: Context, ref: PodSpecRef, rc: RuntimeClassView, handler: str) -> List[NodePool]:
    """Pools with the handler where this pod can land: labels known and matching the pod's
    nodeSelector merged with the RuntimeClass's, and taints tolerated after the admission
    merge. A RuntimeClass's nodeSelector picks the node set; other pools do not count.

    Pods share a handful of (RuntimeClass, nodeSelector, tolerations) combinations: the pools
    are computed once per distinct combination."""
    spec = ref.spec
    pod_sel, pod_tols = spec.get("nodeSelector"), spec.get("tolerations")
    table = memo(ctx, "reachable")
    key = (id(rc), handler, placement_key(pod_sel, pod_tols))
    out = table.get(key)
    if out is not None:
        return out
    merged_sel, conflicts = merge_node_selector(pod_sel, rc.node_selector)
    if conflicts:
        out = []
    else:
        tolerations = merge_tolerations(pod_tols, rc.tolerations)
        out = [p for p in _pools_with(ctx, handler)
               if _selector_matches(p, merged_sel) is True and not blocking_taints(p.taints, tolerations)]
    table[key] = out
    return out


def handler_kinds(ctx: Context, handler: str) -> set:
    """Kinds of a handler across the pools that have it; by name when no pool tells."""
    table = memo(ctx, "handler_kinds")
    if handler in table:
        return set(table[handler])
    kinds = set()
    for pool in ctx.inventory.pools:
        if pool.handlers and handler in pool.handlers:
            kinds.add(pool.handlers[handler].kind)
    kinds.discard("unknown")
    if not kinds:
        by_name = classify_handler_name(handler)
        if by_name:
            kinds.add(by_name)
    table[handler] = frozenset(kinds)
    return kinds


# --------------------------------------------------------------------------- outcomes
#
# The scheduler has no plugin that looks at runtime handlers (kube-scheduler's default plugins
# filter on node name, selector/affinity, taints, resources, ...; the RuntimeClass admission
# plugin only merges scheduling.nodeSelector/tolerations and overhead into the pod). So a pod
# whose RuntimeClass's handler is missing on some feasible node can be bound there, and the
# kubelet fails its sandbox; only when no node at all is feasible does the pod stay Pending.

SANDBOX_FAILS = ('the scheduler ignores runtime handlers: on a node without "{h}" the pod stays ContainerCreating '
                 '(FailedCreatePodSandBox: `... no runtime for "{h}" is configured`)')
STAYS_PENDING = ("no node is feasible, so the pod stays Pending (FailedScheduling: `0/N nodes are available: ...`)")


def _feasible(pool: NodePool, selector, tolerations, affinity=None, os_name=None) -> Optional[bool]:
    """Could the scheduler bind the pod to this pool? None when its labels are unknown."""
    if pool.labels is None and (selector or affinity or os_name):
        return None
    labels = pool.labels or {}
    if not (node_selector_matches(selector, labels) and required_affinity_matches(affinity, labels, pool.node_name)
            and pod_os_matches(os_name, labels)):
        return False
    return not blocking_taints(pool.taints, tolerations)


def _count(pools: List[NodePool]) -> str:
    return f"{len(pools)} node pool{'s' if len(pools) != 1 else ''}"


def _yaml_toleration(t: dict) -> str:
    value = t.get("value")
    if value in (None, ""):
        return f'{{key: {t.get("key")}, operator: Exists, effect: {t.get("effect")}}}'
    return f'{{key: {t.get("key")}, operator: Equal, value: "{value}", effect: {t.get("effect")}}}'


def _distinguishing_label(have: List[NodePool], lack: List[NodePool]) -> Optional[Tuple[str, str]]:
    """A label every pool with the handler has and no pool without it has."""
    labelled = [p for p in have if p.labels]
    if not labelled or len(labelled) != len(have):
        return None
    common = set(labelled[0].labels.items())
    for p in labelled[1:]:
        common &= set(p.labels.items())
    for kv in sorted(common):
        if all(p.labels is None or kv not in p.labels.items() for p in lack):
            return kv
    return None


def _scheduling_fix(have: List[NodePool], lack: List[NodePool], taints: List[dict], where: str) -> str:
    """The RuntimeClass `scheduling` that sends its pods to the nodes with the handler only."""
    parts = []
    if lack:
        label = _distinguishing_label(have, lack)
        if label:
            parts.append(f'nodeSelector: {{"{label[0]}": "{label[1]}"}}')
        else:
            parts.append("nodeSelector: {<label only the nodes with the handler carry>: ...}")
    if taints:
        parts.append("tolerations: [" + ", ".join(_yaml_toleration(t) for t in taints) + "]")
    return f"Add to {where}: scheduling: {{{'; '.join(parts)}}}"


# --------------------------------------------------------------------------- RCL103


@check("RCL103")
def handler_not_on_all_nodes(ctx: Context) -> Iterable[Finding]:
    """Pods of the class can be bound to a pool without the handler (whether or not any pod in
    the inputs uses the class yet)."""
    pools = ctx.inventory.pools
    if not pools:
        return
    for rc in ctx.inventory.runtime_classes:
        handler = _rc_handler(rc)
        if handler is None:
            continue
        with_handler = [p for p in pools if p.has(handler)]
        if not with_handler:
            continue  # RCL102 (no node has it), or unknown
        selector = rc.node_selector if isinstance(rc.node_selector, dict) else None
        lack, unknown = [], 0
        for pool in pools:
            feasible = _feasible(pool, selector, rc.tolerations)
            has = pool.has(handler)
            if feasible is False:
                continue
            if feasible is None or has is None:
                unknown += 1
            elif not has:
                lack.append(pool)
        if not lack:
            continue
        taints = _blocking_union([p for p in with_handler if _selector_matches(p, selector) is not False],
                                 rc.tolerations)
        path, key = _rc_scheduling_point(rc)
        notes = [SANDBOX_FAILS.format(h=handler),
                 f'without the handler: {_names(lack)}; with it: {_names(with_handler)}']
        if unknown:
            notes.append(f"{unknown} pool{'s' if unknown != 1 else ''} with unknown labels or handlers not judged")
        yield Finding(
            "RCL103",
            f'{rc.describe()}: its pods can be bound to {_count(lack)} without handler "{handler}"',
            rc.path, rc.obj.key_span(path) if key else rc.obj.value_span(path), rc.obj.ref,
            tuple(_pool_related(p, f'{p.describe()} has no runtime handler "{handler}"') for p in lack[:5]),
            field="handler",
            help=_scheduling_fix(with_handler, lack, taints, rc.describe()),
            notes=tuple(notes),
        )


# --------------------------------------------------------------------------- RCL104


@check("RCL104")
def selector_matches_no_node(ctx: Context) -> Iterable[Finding]:
    labelled = [p for p in ctx.inventory.pools if p.labels is not None]
    if not labelled or len(labelled) != len(ctx.inventory.pools):
        return  # a pool whose labels are unknown (a bare runtime config) might match: unknown stays unknown
    for rc in ctx.inventory.runtime_classes:
        selector = rc.node_selector
        if not isinstance(selector, dict) or not selector:
            continue
        if any(node_selector_matches(selector, p.labels) for p in labelled):
            continue
        wanted = ", ".join(f"{k}={v}" for k, v in selector.items())
        n = len(labelled)
        ctx.note(POOLS_NOTE)
        yield _rc_finding(
            "RCL104", rc, rc.field_path("scheduling", "nodeSelector"), True,
            f"{rc.describe()}: scheduling.nodeSelector matches none of the {n} known node pool{'s' if n != 1 else ''}",
            [_pool_related(p, f"{p.describe()} labels do not match") for p in labelled[:3]],
            help=f"label the nodes that run the handler with {wanted}, or select a label they carry",
            notes=(f"its pods stay Pending: 0/{n} nodes are available: {n} node(s) didn't match Pod's node "
                   "affinity/selector" if all(p.source == "node" for p in labelled) else
                   "its pods stay Pending: node(s) didn't match Pod's node affinity/selector",
                   f"selector: {wanted}; pools: {_names(labelled)}"),
        )


# --------------------------------------------------------------------------- RCL105


def _capable(ctx: Context, handler: str, selector) -> List[NodePool]:
    return [p for p in ctx.inventory.pools if p.has(handler) and _selector_matches(p, selector) is True]


def _blocking_union(pools: List[NodePool], tolerations) -> List[dict]:
    """Every distinct taint that keeps a pod with these tolerations off one of the pools."""
    out: List[dict] = []
    for p in pools:
        for t in blocking_taints(p.taints, tolerations):
            if t not in out:
                out.append(t)
    return out


def _others(ctx: Context, handler: str, selector, tolerations, affinity=None, os_name=None) -> List[NodePool]:
    """Pools without the handler where the scheduler can bind the pod."""
    return [p for p in ctx.inventory.pools
            if p.has(handler) is False and _feasible(p, selector, tolerations, affinity, os_name) is True]


def _unjudged(ctx: Context, handler: str, selector, tolerations, affinity=None, os_name=None) -> int:
    """Pools that might take the pod but whose labels or handlers are unknown."""
    n = 0
    for p in ctx.inventory.pools:
        has, feasible = p.has(handler), _feasible(p, selector, tolerations, affinity, os_name)
        if has is not True and feasible is not False and (has is None or feasible is None):
            n += 1
    return n


def _pending(unjudged: int, subject: str = "pods stay", them: str = "them") -> Tuple[str, List[str]]:
    """The Pending outcome, hedged when pools that were not judged might take the pod."""
    if not unjudged:
        return f"{subject} Pending", [STAYS_PENDING]
    pools = f"{unjudged} pool{'s' if unjudged != 1 else ''}"
    return (f"{subject} Pending unless one of {pools} not judged takes {them}",
            [STAYS_PENDING, f"{pools} with unknown labels or handlers not judged: a pod bound there fails its "
                            "sandbox if the handler is missing"])


@check("RCL105")
def untolerated_taints(ctx: Context) -> Iterable[Finding]:
    users: Dict[str, List[PodSpecRef]] = {}
    for ref, rc in pods_with_classes(ctx):
        users.setdefault(rc.name, []).append(ref)
    for rc in ctx.inventory.runtime_classes:
        handler = _rc_handler(rc)
        if handler is None:
            continue
        selector = rc.node_selector if isinstance(rc.node_selector, dict) else None
        capable = _capable(ctx, handler, selector)
        if not capable:
            continue
        if not all(blocking_taints(p.taints, rc.tolerations) for p in capable):
            continue
        taints = _blocking_union(capable, rc.tolerations)
        pods = [ref for ref in users.get(rc.name or "", [])]
        if not pods:
            if not ctx.rc_part or rc.name in ctx.inventory.deferred_classes:
                continue  # said of its pods, by the second pass (rclint.stream)
            others = _others(ctx, handler, selector, rc.tolerations)
            unjudged = _unjudged(ctx, handler, selector, rc.tolerations)
            path, key = _rc_scheduling_point(rc)
            yield _outcome_finding(
                rc, capable, others, unjudged, taints, handler, rc.describe(), rc.describe(),
                rc.obj.key_span(path) if key else rc.obj.value_span(path), rc.obj.ref, rc.path,
                "scheduling.tolerations")
            continue
        verdicts = memo(ctx, f"RCL105:{id(rc)}")  # (pool_set, left) or None per distinct placement
        for ref in pods:
            pod_sel, pod_tols = ref.spec.get("nodeSelector"), ref.spec.get("tolerations")
            key = placement_key(pod_sel, pod_tols)
            if key not in verdicts or not perf.FAST:
                verdicts[key] = _pod_blocked(ctx, handler, capable, selector, rc.tolerations, pod_sel, pod_tols)
            verdict = verdicts[key]
            if verdict is None:
                continue
            pool_set, left, others, unjudged = verdict
            path = ref.field("runtimeClassName")
            yield _outcome_finding(
                rc, pool_set, others, unjudged, left, handler, ref.describe(), rc.describe(),
                ref.obj.value_span(path), ref.obj.ref, ref.obj.path, format_path(path))


def _outcome_finding(rc: RuntimeClassView, capable: List[NodePool], others: List[NodePool], unjudged: int,
                     taints: List[dict], handler: str, subject: str, fix_where: str, span, ref, path: str,
                     field: str) -> Finding:
    """RCL105: what happens to pods whose tolerations leave every node with the handler out:
    bound to a feasible node without it (sandbox fails), or Pending when there is none."""
    taint_text = ", ".join(_taint_text(t) for t in taints)
    if others:
        outcome = f"pods go to {_count(others)} without it"
        notes = [SANDBOX_FAILS.format(h=handler), f"feasible without the handler: {_names(others)}",
                 "a toleration alone still lets the scheduler pick those nodes: select the handler's nodes too"]
    else:
        outcome, notes = _pending(unjudged)
    notes.append(f'tainted nodes with "{handler}": {_names(capable)} ({taint_text})')
    message = f'{subject}: every node with handler "{handler}" has an untolerated taint; {outcome}'
    return Finding(
        "RCL105", message, path, span, ref,
        tuple(_pool_related(p, f"{p.describe()} is tainted") for p in capable[:5]),
        field=field, help=_scheduling_fix(capable, others, taints, fix_where), notes=tuple(notes),
    )


def _pod_blocked(ctx: Context, handler: str, capable: List[NodePool], selector, rc_tolerations, pod_sel, pod_tols):
    """(pools the pod selects, taints it leaves untolerated, feasible pools without the handler,
    pools not judged) when every pool with the handler it selects blocks it, else None."""
    merged_tols = merge_tolerations(pod_tols, rc_tolerations)
    merged_sel, conflicts = merge_node_selector(pod_sel, selector)
    if conflicts:
        return None  # RCL106
    pool_set = [p for p in capable if _selector_matches(p, merged_sel) is True]
    if not pool_set or any(not blocking_taints(p.taints, merged_tols) for p in pool_set):
        return None
    return (pool_set, _blocking_union(pool_set, merged_tols), _others(ctx, handler, merged_sel, merged_tols),
            _unjudged(ctx, handler, merged_sel, merged_tols))


# --------------------------------------------------------------------------- RCL106


@check("RCL106")
def node_selector_conflict(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        pod_sel = ref.spec.get("nodeSelector")
        rc_sel = rc.node_selector
        if not isinstance(pod_sel, dict) or not isinstance(rc_sel, dict):
            continue
        _merged, conflicts = merge_node_selector(pod_sel, rc_sel)
        for key, rc_value, pod_value in conflicts:
            yield _pod_finding(
                "RCL106", ref, ref.field("nodeSelector", key),
                f"{ref.describe()}: nodeSelector {key}={pod_value} conflicts with {rc.describe()}",
                [Related(rc.path, rc.obj.value_span(rc.field_path("scheduling", "nodeSelector", key)),
                         f"{rc.describe()} selects {key}={rc_value} here")],
                help=f"remove {key} from the pod's nodeSelector (the RuntimeClass adds {key}: {rc_value})",
                notes=(f"{_rejected(ref)}: conflict: runtimeClass.scheduling.nodeSelector[{key}] = {rc_value}; "
                       f"pod.spec.nodeSelector[{key}] = {pod_value}",),
            )


# --------------------------------------------------------------------------- RCL107


@check("RCL107")
def overhead_mismatch(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inventory
    for ref in inv.pod_specs:
        overhead = ref.spec.get("overhead")
        if overhead is None or overhead == {}:
            continue  # an empty pod.spec.overhead passes admission
        path = ref.field("overhead")
        raw = ref.spec.get("runtimeClassName")
        name = referenced_class(ref)
        consequence = "the API server rejects the pod" if ref.obj.kind == "Pod" else \
            f"every pod this {ref.obj.kind} creates is rejected"
        if raw is None:
            yield _pod_finding("RCL107", ref, path,
                               f"{ref.describe()}: spec.overhead is set but there is no runtimeClassName", key=True,
                               help="remove spec.overhead: the RuntimeClass admission plugin fills it in",
                               notes=(f"{consequence}: pod rejected: Pod Overhead set without corresponding "
                                      "RuntimeClass defined Overhead",))
            continue
        if name is None:
            continue  # RCL208
        rc = inv.runtime_class(name)
        if rc is None:
            continue  # RCL101, or a cluster-provided class whose overhead is unknown
        fixed = rc.overhead
        related = [Related(rc.path, rc.obj.value_span(rc.field_path("metadata", "name") if rc.base else ("metadata", "name")),
                           f"{rc.describe()} defined here")]
        if not fixed:
            yield _pod_finding("RCL107", ref, path,
                               f"{ref.describe()}: spec.overhead is set but {rc.describe()} defines no overhead",
                               key=True, related=related, help="remove spec.overhead",
                               notes=(f"{consequence}: pod rejected: Pod Overhead set without corresponding "
                                      "RuntimeClass defined Overhead",))
        elif not quantities_equal(overhead, fixed):
            yield _pod_finding("RCL107", ref, path,
                               f"{ref.describe()}: spec.overhead differs from {rc.describe()}'s overhead.podFixed",
                               key=True, related=related,
                               help="remove spec.overhead: the admission plugin copies podFixed into it",
                               notes=(f"{consequence}: pod rejected: Pod's Overhead doesn't match RuntimeClass's "
                                      "defined Overhead",))


# --------------------------------------------------------------------------- RCL110


def _pod_placement_set(spec: dict) -> bool:
    return any(spec.get(k) for k in ("nodeName", "nodeSelector", "affinity")) or isinstance(spec.get("os"), dict)


@check("RCL110")
def pod_unschedulable(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        handler = _rc_handler(rc)
        spec = ref.spec
        if handler is None or not _pod_placement_set(spec):
            continue
        candidates = _pools_with(ctx, handler)
        if not candidates:
            continue  # RCL102 says the handler exists nowhere
        node_name = spec.get("nodeName")
        affinity = spec.get("affinity")
        os_name = spec.get("os", {}).get("name") if isinstance(spec.get("os"), dict) else None
        table = memo(ctx, "RCL110")
        key = (id(rc), handler, placement_key(spec.get("nodeSelector"), node_name, affinity, os_name,
                                              spec.get("tolerations")))
        if key not in table or not perf.FAST:
            table[key] = _unschedulable(ctx, rc, handler, candidates, spec, node_name, affinity, os_name)
        verdict = table[key]
        if verdict is None:
            continue
        outcome, notes = verdict[0], list(verdict[1])
        notes.append(f'with the handler but ruled out by the pod\'s nodeName, nodeSelector (merged with '
                     f"{rc.describe()}'s), required node affinity or spec.os: {_names(candidates)}")
        yield Finding(
            "RCL110",
            f'{ref.describe()}: its placement rules out every node with handler "{handler}"; {outcome}',
            ref.obj.path, ref.obj.value_span(ref.field("runtimeClassName")), ref.obj.ref,
            tuple(_pool_related(p, f"{p.describe()} has the handler but does not match") for p in candidates[:5]),
            field=format_path(ref.field("runtimeClassName")),
            help=("Relax the pod's nodeName, nodeSelector, required node affinity or spec.os so that they include "
                  f"{_names(candidates)}, or install the handler on the nodes the pod targets"),
            notes=tuple(notes),
        )


def _unschedulable(ctx: Context, rc: RuntimeClassView, handler: str, candidates: List[NodePool], spec: dict,
                   node_name, affinity, os_name):
    """(outcome, notes) when no pool with the handler can take the pod; None when one can or might."""
    merged, conflicts = merge_node_selector(spec.get("nodeSelector"), rc.node_selector)
    if conflicts:
        return None  # RCL106
    verdicts = []
    for p in candidates:
        if p.labels is None and (merged or affinity or os_name):
            verdicts.append(None)
            continue
        if node_name:
            if p.source != "node":
                verdicts.append(None)
                continue
            if p.node_name != node_name:
                verdicts.append(False)
                continue
        labels = p.labels or {}
        ok = (node_selector_matches(merged, labels)
              and required_affinity_matches(affinity, labels, p.node_name)
              and pod_os_matches(os_name, labels))
        verdicts.append(ok)
    if any(v is None or v for v in verdicts):
        return None
    tolerations = merge_tolerations(spec.get("tolerations"), rc.tolerations)
    others = [] if node_name else _others(ctx, handler, merged, tolerations, affinity, os_name)
    if node_name:
        outcome = f"it is sent to node {node_name}"
        notes = ["nodeName bypasses the scheduler; " + SANDBOX_FAILS.format(h=handler)]
    elif others:
        outcome = f"it goes to {_count(others)} without the handler"
        notes = [SANDBOX_FAILS.format(h=handler), f"feasible without the handler: {_names(others)}"]
    else:
        outcome, notes = _pending(_unjudged(ctx, handler, merged, tolerations, affinity, os_name), "it stays", "it")
    return outcome, tuple(notes)


# --------------------------------------------------------------------------- RCL111


@check("RCL111")
def os_mismatch(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes if ctx.rc_part else ():
        handler = _rc_handler(rc)
        if handler is None:
            continue
        oses = {os_of_handler_kind(k) for k in handler_kinds(ctx, handler)} - {None}
        selector = rc.node_selector if isinstance(rc.node_selector, dict) else {}
        selected = selector.get(OS_LABEL)
        if oses == {"windows"} and selected != "windows":
            yield _rc_finding(
                "RCL111", rc, rc.handler_path, False,
                f'{rc.describe()}: Windows handler "{handler}", but {OS_LABEL}: windows is not selected',
                help=f"scheduling: {{nodeSelector: {{{OS_LABEL}: windows}}}}",
                notes=("its pods may be sent to Linux nodes, where the handler does not exist",),
            )
        elif oses == {"linux"} and selected == "windows":
            yield _rc_finding(
                "RCL111", rc, rc.field_path("scheduling", "nodeSelector", OS_LABEL), False,
                f'{rc.describe()}: Linux handler "{handler}", but the nodeSelector selects {OS_LABEL}: windows',
                help=f"{OS_LABEL}: linux (or use a Windows handler)",
                notes=("its pods can never start",),
            )
    for ref, rc in pods_with_classes(ctx):
        os_spec = ref.spec.get("os")
        os_name = os_spec.get("name") if isinstance(os_spec, dict) else None
        selector = rc.node_selector if isinstance(rc.node_selector, dict) else {}
        selected = selector.get(OS_LABEL)
        handler = _rc_handler(rc)
        if isinstance(os_name, str) and not isinstance(selected, str) and handler is not None:
            oses = {os_of_handler_kind(k) for k in handler_kinds(ctx, handler)} - {None}
            if len(oses) == 1 and os_name != next(iter(oses)):
                runtime_os = next(iter(oses))
                yield _pod_finding(
                    "RCL111", ref, ref.field("os", "name"),
                    f'{ref.describe()}: spec.os.name is {os_name}, but {rc.describe()} uses a '
                    f"{runtime_os.capitalize()} handler",
                    help=f"os: {{name: {runtime_os}}}, or a RuntimeClass with a {os_name.capitalize()} handler",
                    notes=(f'handler "{handler}" is a {runtime_os.capitalize()} runtime: the pod can never start',),
                )
            continue
        if isinstance(os_name, str) and isinstance(selected, str) and os_name != selected:
            yield _pod_finding(
                "RCL111", ref, ref.field("os", "name"),
                f"{ref.describe()}: spec.os.name is {os_name}, but {rc.describe()} selects {OS_LABEL}: {selected}",
                help=f"os: {{name: {selected}}}, or a RuntimeClass for {os_name} nodes",
                notes=("the pod can never be scheduled",),
                related=[Related(rc.path, rc.obj.value_span(rc.field_path("scheduling", "nodeSelector", OS_LABEL)),
                                 f"{rc.describe()} selects {OS_LABEL}={selected} here")],
            )


# --------------------------------------------------------------------------- RCL112


def _feature_verdict(pools: List[NodePool], handler: str, feature: str) -> Tuple[Optional[bool], List[NodePool]]:
    """False when every reachable pool reporting features for the handler reports the feature off."""
    reporting = []
    for p in pools:
        if p.handlers and handler in p.handlers:
            feats = p.handlers[handler].features
            if isinstance(feats, dict) and isinstance(feats.get(feature), bool):
                reporting.append((p, feats[feature]))
    if not reporting:
        return None, []
    if any(v for _p, v in reporting):
        return True, []
    return False, [p for p, _v in reporting]


def _containers(spec: dict):
    for group in ("initContainers", "containers", "ephemeralContainers"):
        items = spec.get(group)
        if isinstance(items, list):
            for i, c in enumerate(items):
                if isinstance(c, dict):
                    yield group, i, c


@check("RCL112")
def handler_feature_missing(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        handler = _rc_handler(rc)
        if handler is None:
            continue
        spec = ref.spec
        if spec.get("hostUsers") is False:
            ok, pools = _feature_verdict(reachable_pools(ctx, ref, rc, handler), handler, "userNamespaces")
            if ok is False:
                yield _pod_finding(
                    "RCL112", ref, ref.field("hostUsers"),
                    f'{ref.describe()}: hostUsers: false, but handler "{handler}" has no user namespaces',
                    [_pool_related(p, f"{p.describe()} reports userNamespaces: false") for p in pools[:3]],
                    help="remove hostUsers: false, or use a handler that supports user namespaces",
                    notes=("the sandbox is not created: can't set `spec.hostUsers: false`, runtime does not "
                           "support user namespaces",
                           f"userNamespaces: false is reported on {_names(pools)}"),
                )
        for group, i, c in _containers(spec):
            mounts = c.get("volumeMounts")
            if not isinstance(mounts, list):
                continue
            for j, m in enumerate(mounts):
                if isinstance(m, dict) and m.get("recursiveReadOnly") == "Enabled":
                    ok, pools = _feature_verdict(reachable_pools(ctx, ref, rc, handler), handler,
                                                 "recursiveReadOnlyMounts")
                    if ok is False:
                        yield _pod_finding(
                            "RCL112", ref, ref.field(group, i, "volumeMounts", j, "recursiveReadOnly"),
                            f'{ref.describe()}: recursiveReadOnly: Enabled, but handler "{handler}" has no '
                            "recursive read-only mounts",
                            [_pool_related(p, f"{p.describe()} reports recursiveReadOnlyMounts: false") for p in pools[:3]],
                            help="recursiveReadOnly: IfPossible (or use a handler that supports it)",
                            notes=("the container fails to start",
                                   f"recursiveReadOnlyMounts: false is reported on {_names(pools)}"),
                        )
