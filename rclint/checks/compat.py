"""Workloads against the sandbox their runtime gives them (RCL401-RCL404).

A handler's kind comes from the pools' runtime tables (containerd `io.containerd.kata*.v2`
and CRI-O `runtime_type = "vm"` are VM-isolated, `io.containerd.runsc.v1` is gVisor) and, for
Node objects or without any node source, from unambiguous names (`kata*`, `runsc`/`gvisor*`).
"""

from __future__ import annotations

from typing import Iterable

from rclint.checks import Context, check
from rclint.checks.placement import (
    _containers,
    _names,
    _pod_finding,
    _rc_handler,
    handler_kinds,
    pods_with_classes,
    reachable_pools,
)
from rclint.kube.runtimeclass import suggested_overhead
from rclint.model import Finding, Related, Severity


def _kind(ctx: Context, handler: str):
    kinds = handler_kinds(ctx, handler)
    if "vm" in kinds:
        return "vm"
    if "gvisor" in kinds:
        return "gvisor"
    return None


def _what(kind: str) -> str:
    return "a VM-isolated (Kata) runtime" if kind == "vm" else "gVisor (runsc)"


@check("RCL401")
def host_network_in_sandbox(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        handler = _rc_handler(rc)
        if handler is None or ref.spec.get("hostNetwork") is not True:
            continue
        kind = _kind(ctx, handler)
        if kind is None:
            continue
        effect = ("Kata cannot share the host's network namespace (and may take over or break host networking)"
                  if kind == "vm" else
                  "under runsc's default --network=sandbox the pod silently gets a new, empty network namespace, "
                  "not the host's")
        yield _pod_finding(
            "RCL401", ref, ref.field("hostNetwork"),
            f"{ref.describe()}: hostNetwork: true does not work with {rc.describe()}",
            severity=None if kind == "vm" else Severity.WARNING,
            help="remove hostNetwork, or run this pod with a runc RuntimeClass",
            notes=(f'handler "{handler}" is {_what(kind)}: {effect}',),
        )


@check("RCL402")
def privileged_vm_exposes_host_devices(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        handler = _rc_handler(rc)
        if handler is None or _kind(ctx, handler) != "vm":
            continue
        if not any(isinstance(c.get("securityContext"), dict) and c["securityContext"].get("privileged") is True
                   for _g, _i, c in _containers(ref.spec)):
            continue  # nothing privileged: the pools do not matter
        # the pools this pod can land on whose runtime table passes host devices in
        tables = [(p, p.handlers[handler].table) for p in reachable_pools(ctx, ref, rc, handler)
                  if p.handlers[handler].table is not None and p.handlers[handler].kind == "vm"
                  and p.handlers[handler].table.privileged_without_host_devices is not True]
        if not tables:
            continue
        for group, i, c in _containers(ref.spec):
            sc = c.get("securityContext")
            if not isinstance(sc, dict) or sc.get("privileged") is not True:
                continue
            yield _pod_finding(
                "RCL402", ref, ref.field(group, i, "securityContext", "privileged"),
                f'{ref.describe()}: privileged container "{c.get("name")}" gets every host device in the VM',
                [Related(t.path, t.span, f'runtime "{handler}" defined here') for _p, t in tables[:3]],
                help=f"privileged_without_host_devices = true in the runtime table of \"{handler}\"",
                notes=(f'handler "{handler}" on {_names([p for p, _t in tables])} does not set '
                       "privileged_without_host_devices = true, so every host block device (/dev/*) is passed "
                       "into the VM",),
            )


@check("RCL403")
def vm_runtime_without_overhead(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        handler = _rc_handler(rc)
        if handler is None or _kind(ctx, handler) != "vm":
            continue
        if rc.overhead:
            continue
        yield Finding(
            "RCL403",
            f'{rc.describe()}: VM handler "{handler}" but no overhead',
            rc.path, rc.obj.value_span(rc.handler_path), rc.obj.ref, field="handler",
            help="overhead: {podFixed: {memory: %s, cpu: %s}}" % suggested_overhead(handler),
            notes=("the scheduler and quotas undercount each pod by the VM's memory and CPU",
                   "kata-deploy uses memory: 160Mi, cpu: 250m for kata-qemu"),
        )


@check("RCL404")
def host_namespace_in_sandbox(ctx: Context) -> Iterable[Finding]:
    for ref, rc in pods_with_classes(ctx):
        handler = _rc_handler(rc)
        if handler is None:
            continue
        kind = _kind(ctx, handler)
        if kind is None:
            continue
        # shareProcessNamespace is not checked: Kata (since 1.5) and gVisor (always) share one PID
        # namespace among a sandbox's containers, so the field works there
        for field, what in (("hostPID", "the host's processes"), ("hostIPC", "the host's IPC namespace")):
            if ref.spec.get(field) is True:
                yield _pod_finding(
                    "RCL404", ref, ref.field(field),
                    f"{ref.describe()}: {field}: true has no effect with {rc.describe()}",
                    help=f"remove {field}, or use a runc RuntimeClass",
                    notes=(f'handler "{handler}" is {_what(kind)}: the sandbox has its own kernel and namespaces, '
                           f"so the pod does not get {what}",),
                )
