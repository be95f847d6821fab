"""RCL1xx checks that need only the manifests: references between pods and RuntimeClasses."""

from __future__ import annotations

from typing import Iterable, List, Optional

from rclint.checks import Context, check
from rclint.kube.objects import PodSpecRef
from rclint.kube.validation import is_dns1123_subdomain
from rclint.model import Finding, Related, format_path
from rclint.suggest import Suggester, closest  # noqa: F401  (closest: re-exported)


def referenced_class(ref: PodSpecRef) -> Optional[str]:
    """The pod spec's runtimeClassName when it is a usable name (RCL208 covers the rest)."""
    value = ref.spec.get("runtimeClassName")
    if isinstance(value, str) and is_dns1123_subdomain(value):
        return value
    return None


def _consequence(ref: PodSpecRef) -> str:
    if ref.obj.kind == "Pod":
        return "the API server rejects the pod"
    return f"every pod this {ref.obj.kind} creates is rejected"


def _rejected_note(ref: PodSpecRef, name: str) -> str:
    return f'{_consequence(ref)}: pod rejected: RuntimeClass "{name}" not found'


@check("RCL101")
def unknown_runtime_class(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inventory
    defined = set(inv.defined_names())
    suggester = Suggester(defined)
    by_handler = {}
    for rc in inv.runtime_classes:
        if rc.name:
            by_handler.setdefault(rc.handler_str, rc)
    for ref in inv.pod_specs:
        name = referenced_class(ref)
        if name is None or name in defined:
            continue
        path = ref.field("runtimeClassName")
        related: List[Related] = []
        rc = by_handler.get(name)
        notes = [_rejected_note(ref, name)]
        if rc is not None:
            message = f'{ref.describe()}: runtimeClassName "{name}" is a handler, not a RuntimeClass name'
            help_text = f"runtimeClassName: {rc.name}"
            notes.append(f'"{name}" is the handler of {rc.describe()}; runtimeClassName takes the RuntimeClass name')
            related.append(Related(rc.path, rc.obj.value_span(("metadata", "name")), f"{rc.describe()} defined here"))
        else:
            message = f'{ref.describe()}: runtimeClassName "{name}" names no RuntimeClass in the inputs'
            guess = suggester.closest(name)
            if guess:
                help_text = f"runtimeClassName: {guess}"
            else:
                help_text = (f'define RuntimeClass "{name}", or add it to known-runtime-classes '
                             "if the cluster provides it")
            if guess and inv.runtime_class(guess) is not None:
                rc = inv.runtime_class(guess)
                related.append(Related(rc.path, rc.obj.value_span(("metadata", "name")), f"{rc.describe()} defined here"))
        yield Finding(
            "RCL101",
            message,
            ref.obj.path,
            ref.obj.value_span(path),
            ref.obj.ref,
            tuple(related),
            field=format_path(path),
            help=help_text,
            notes=tuple(notes),
        )


@check("RCL108")
def duplicate_runtime_class(ctx: Context) -> Iterable[Finding]:
    first = {}
    for rc in ctx.inventory.runtime_classes:
        if rc.name is None:
            continue
        prev = first.get(rc.name)
        if prev is None:
            first[rc.name] = rc
            continue
        a, b = prev.content(), rc.content()
        if a == b:
            continue
        diffs = [k for k in ("handler", "overhead", "scheduling") if a[k] != b[k]]
        what = ", ".join(diffs)
        notes = ["only one RuntimeClass of a name can exist in a cluster: whichever is applied last wins"]
        if "handler" in diffs:
            notes.insert(0, f'handler "{a["handler"]}" in the first definition, "{b["handler"]}" here')
        prev_span = prev.obj.value_span(("metadata", "name"))
        yield Finding(
            "RCL108",
            f"{rc.describe()} is defined again with a different {what}",
            rc.path,
            rc.obj.value_span(("metadata", "name")),
            rc.obj.ref,
            (Related(prev.path, prev_span, f"first definition of {rc.describe()}"),),
            field="metadata.name",
            help="keep one definition (or give this one another name)",
            notes=tuple(notes),
        )


@check("RCL109")
def unused_runtime_class(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inventory
    used = {referenced_class(ref) for ref in inv.pod_specs} | inv.deferred_classes
    seen = set()
    for rc in inv.runtime_classes:
        if rc.name is None or rc.name in used or rc.name in seen:
            continue
        seen.add(rc.name)
        yield Finding(
            "RCL109",
            f"{rc.describe()} is not referenced by any Pod or workload template in the inputs",
            rc.path,
            rc.obj.value_span(("metadata", "name")),
            rc.obj.ref,
            field="metadata.name",
            help=f"remove it, or set runtimeClassName: {rc.name} in the workloads meant to use it",
        )
