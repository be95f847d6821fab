"""RCL0xx/RCL2xx checks on single objects: what the API server would reject or warn about."""

from __future__ import annotations

import difflib
import functools
from typing import Any, Iterable, Iterator, Tuple

from rclint.catalog import read_schema
from rclint.checks import Context, check
from rclint.kube.quantity import overhead_problems
from rclint.kube.quickschema import surely_valid
from rclint.kube.runtimeclass import RuntimeClassView
from rclint.kube.validation import (
    dns1123_label_problem,
    dns1123_subdomain_problem,
    deprecated_node_label_message,
    duplicate_tolerations,
    label_key_problem,
    label_value_problem,
    toleration_problems,
)
from rclint.model import Finding, Related, format_path

Path = Tuple[Any, ...]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a string"


def _finding(code: str, rc_or_obj, path: Path, message: str, *, key: bool = False, related=()) -> Finding:
    obj = rc_or_obj.obj if isinstance(rc_or_obj, RuntimeClassView) else rc_or_obj
    span = obj.key_span(path) if key else obj.value_span(path)
    return Finding(code, message, obj.path, span, obj.ref, tuple(related), field=format_path(path))


# --------------------------------------------------------------------------- RCL004


@check("RCL004")
def duplicate_key(ctx: Context) -> Iterable[Finding]:
    by_doc = {}
    for obj in ctx.inventory.objects:
        by_doc.setdefault(id(obj.doc), []).append(obj)
    for objs in by_doc.values():
        doc = objs[0].doc
        for path, span, first in doc.duplicates:
            # the innermost object holding the key (a List's own keys: its first item)
            owners = [o for o in objs if path[: len(o.base)] == o.base]
            obj = max(owners, key=lambda o: len(o.base)) if owners else objs[0]
            rel = path[len(obj.base):] if owners else path
            yield Finding(
                "RCL004",
                f'duplicate key "{path[-1]}" in {obj.describe()} (first at line {first.line}); '
                "the API server's strict decoding rejects the object, kubectl silently keeps the last value",
                obj.path,
                span,
                obj.ref,
                (Related(obj.path, first, f'first "{path[-1]}" here'),),
                field=format_path(rel),
            )


# --------------------------------------------------------------------------- RCL201/202


@check("RCL201")
def invalid_runtime_class_name(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        obj = rc.obj
        meta = obj.get(("metadata",))
        name = obj.get(("metadata", "name"))
        if not isinstance(meta, dict):
            where = ("metadata",) if obj.has(("metadata",)) else ("kind",)
            yield _finding("RCL201", rc, where, f"RuntimeClass has no metadata.name; a RuntimeClass needs a name",
                           key=where == ("metadata",))
            continue
        if name is None:
            if isinstance(meta.get("generateName"), str):
                continue
            yield _finding("RCL201", rc, ("metadata",), "RuntimeClass has no metadata.name", key=True)
            continue
        if not isinstance(name, str):
            yield _finding("RCL201", rc, ("metadata", "name"),
                           f"RuntimeClass metadata.name must be a string, not {_type_name(name)}")
            continue
        problem = dns1123_subdomain_problem(name)
        if problem:
            yield _finding(
                "RCL201", rc, ("metadata", "name"),
                f'RuntimeClass name "{name}" is not a valid DNS subdomain: {problem}; '
                "the API server rejects the object",
            )


@check("RCL202")
def invalid_handler(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        obj = rc.obj
        hp = rc.handler_path
        field_name = format_path(hp)
        if not obj.has(hp) or rc.handler is None:
            where = hp if obj.has(hp) else ("kind",)
            yield _finding("RCL202", rc, where,
                           f"{rc.describe()} has no {field_name}; it is required and names the runtime "
                           "handler configured on the nodes (e.g. runc, kata, runsc)")
            continue
        handler = rc.handler
        if not isinstance(handler, str):
            yield _finding("RCL202", rc, hp, f"{rc.describe()}: {field_name} must be a string, not {_type_name(handler)}")
            continue
        problem = dns1123_label_problem(handler)
        if problem:
            fix = handler.lower().replace("_", "-").replace(".", "-")
            hint = f'; did you mean "{fix}"?' if not dns1123_label_problem(fix) and fix != handler else ""
            yield _finding(
                "RCL202", rc, hp,
                f'{rc.describe()}: handler "{handler}" is not a valid DNS label: {problem}; '
                f"the API server rejects the object{hint}",
            )


# --------------------------------------------------------------------------- RCL203


def _overhead_findings(obj, path: Path, owner: str, schema_checked: bool = False) -> Iterator[Finding]:
    value = obj.get(path)
    if value is None or (schema_checked and not isinstance(value, dict)):
        return  # a RuntimeClass's wrong type is RCL209's
    for sub, message in overhead_problems(value):
        p = path + tuple(sub)
        yield _finding("RCL203", obj, p, f"{owner} {format_path(p)}: {message}", key=bool(sub))


@check("RCL203")
def invalid_overhead(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        yield from _overhead_findings(rc.obj, rc.field_path("overhead", "podFixed"), rc.describe(), schema_checked=True)
    for ref in ctx.inventory.pod_specs:
        yield from _overhead_findings(ref.obj, ref.field("overhead"), ref.describe())


# --------------------------------------------------------------------------- RCL204/207


def _selector_items(rc: RuntimeClassView):
    sel = rc.node_selector
    if isinstance(sel, dict):
        for key, value in sel.items():
            yield key, value, rc.field_path("scheduling", "nodeSelector", key)


@check("RCL204")
def invalid_node_selector(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        for key, value, path in _selector_items(rc):
            problem = label_key_problem(str(key))
            if problem:
                yield _finding("RCL204", rc, path, f'{rc.describe()}: nodeSelector key "{key}" is not a valid label key: {problem}',
                               key=True)
            if not isinstance(value, str):
                yield _finding("RCL204", rc, path,
                               f'{rc.describe()}: nodeSelector value for "{key}" must be a string, not {_type_name(value)}'
                               + (" (quote the value: label values are strings)" if isinstance(value, (bool, int, float)) else ""))
                continue
            problem = label_value_problem(value)
            if problem:
                yield _finding("RCL204", rc, path, f'{rc.describe()}: nodeSelector value "{value}" for "{key}" is not a valid label value: {problem}')


@check("RCL207")
def deprecated_node_label(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        for key, _value, path in _selector_items(rc):
            advice = deprecated_node_label_message(key)
            if advice:
                yield _finding("RCL207", rc, path,
                               f'{rc.describe()}: nodeSelector uses the deprecated node label "{key}" ({advice})',
                               key=True)


# --------------------------------------------------------------------------- RCL205


@check("RCL205")
def invalid_toleration(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        tols = rc.tolerations
        base = rc.field_path("scheduling", "tolerations")
        if not isinstance(tols, list):
            continue  # absent, null, or a wrong type (RCL209 reports the type)
        for i, tol in enumerate(tols):
            if not isinstance(tol, dict):
                continue  # RCL209 reports the type
            for sub, message in toleration_problems(tol):
                p = base + (i,) + tuple(sub)
                yield _finding("RCL205", rc, p, f"{rc.describe()}: {format_path(p)}: {message}")
        for first, dup in duplicate_tolerations(tols, empty_operator_is_equal=False):
            p = base + (dup,)
            yield _finding(
                "RCL205", rc, p,
                f"{rc.describe()}: {format_path(p)} duplicates tolerations[{first}] (same key, operator, value and effect)",
                related=(Related(rc.path, rc.obj.value_span(base + (first,)), f"tolerations[{first}] here"),),
            )


# --------------------------------------------------------------------------- RCL206


@check("RCL206")
def removed_api_version(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        if rc.version == "v1beta1":
            msg = (f"{rc.describe()} uses node.k8s.io/v1beta1, which is not served since Kubernetes 1.25; "
                   "change apiVersion to node.k8s.io/v1 (the rest of the object stays the same)")
        elif rc.version == "v1alpha1":
            msg = (f"{rc.describe()} uses node.k8s.io/v1alpha1, an alpha API clusters do not serve; "
                   "rewrite it as node.k8s.io/v1: spec.runtimeHandler becomes handler, and spec.overhead and "
                   "spec.scheduling move to the top level as overhead and scheduling")
        else:
            continue
        yield _finding("RCL206", rc, ("apiVersion",), msg)


# --------------------------------------------------------------------------- RCL208


@check("RCL208")
def invalid_runtime_class_reference(ctx: Context) -> Iterable[Finding]:
    for ref in ctx.inventory.pod_specs:
        spec = ref.spec
        if "runtimeClassName" not in spec or spec["runtimeClassName"] is None:
            continue
        value = spec["runtimeClassName"]
        path = ref.field("runtimeClassName")
        if not isinstance(value, str):
            msg = f"{ref.describe()}: runtimeClassName must be a string, not {_type_name(value)}"
            if isinstance(value, (bool, int, float)):
                msg += " (quote the value)"
        elif value == "":
            msg = (f"{ref.describe()}: runtimeClassName is empty; the API server rejects an empty name. "
                   "Remove the field to use the nodes' default handler")
        else:
            problem = dns1123_subdomain_problem(value)
            if not problem:
                continue
            fix = value.strip().lower().replace("_", "-")
            hint = f'; did you mean "{fix}"?' if fix != value and not dns1123_subdomain_problem(fix) else ""
            msg = f'{ref.describe()}: runtimeClassName "{value}" is not a valid RuntimeClass name: {problem}{hint}'
        yield _finding("RCL208", ref.obj, path, msg)


# --------------------------------------------------------------------------- RCL209

_SCHEMAS = {
    "v1": "runtimeclass-node.k8s.io-v1.schema.json",
    "v1beta1": "runtimeclass-node.k8s.io-v1beta1.schema.json",
    "v1alpha1": "runtimeclass-node.k8s.io-v1alpha1.schema.json",
}


@functools.lru_cache(maxsize=None)
def _validator(version: str):
    import jsonschema

    from rclint.catalog import read_schema

    schema = read_schema(_SCHEMAS[version])
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _owned_elsewhere(rc: RuntimeClassView, path: Path, validator: str) -> bool:
    """Errors other rules report with a better message (types of handler, name, selector
    values, toleration fields, overhead quantities)."""
    if path in (rc.handler_path, ("metadata", "name")):
        return True
    if validator in ("type", "enum", "minLength", "pattern"):
        b = rc.base
        for prefix, depth in (
            (b + ("scheduling", "nodeSelector"), 1),
            (b + ("scheduling", "tolerations"), 2),
            (b + ("overhead", "podFixed"), 1),
        ):
            if path[: len(prefix)] == prefix and len(path) == len(prefix) + depth:
                return True
    return False


def _unknown_field_hint(rc: RuntimeClassView, parent: Path, key: str, allowed) -> str:
    if rc.version in ("v1", "v1beta1") and parent == () and key == "spec":
        return f"; in node.k8s.io/{rc.version} handler, overhead and scheduling sit at the top level, not under spec"
    if rc.version in ("v1", "v1beta1") and key == "runtimeHandler":
        if "handler" in (rc.obj.value if parent == () else {}):
            return f"; node.k8s.io/{rc.version} uses handler, which is already set: remove runtimeHandler"
        return '; the field is called "handler"'
    if rc.version == "v1alpha1" and parent == () and key in ("handler", "overhead", "scheduling"):
        return f"; in node.k8s.io/v1alpha1 it belongs under spec (or move the object to node.k8s.io/v1)"
    if rc.version == "v1alpha1" and parent == ("spec",) and key == "handler":
        return '; in node.k8s.io/v1alpha1 the field is called "runtimeHandler"'
    guess = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    return f'; did you mean "{guess[0]}"?' if guess else ""


@check("RCL209")
def malformed_runtime_class(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        obj = rc.obj
        if rc.version not in _SCHEMAS:
            yield _finding("RCL209", rc, ("apiVersion",),
                           f'{rc.describe()}: unknown RuntimeClass apiVersion "{obj.api_version}"; use node.k8s.io/v1')
            continue
        if surely_valid(read_schema(_SCHEMAS[rc.version]), obj.value):
            continue  # no schema error: spare the jsonschema import
        errors = sorted(_validator(rc.version).iter_errors(obj.value), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
        for err in errors:
            path = tuple(err.absolute_path)
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                allowed = set(err.schema.get("properties", {}))
                for key in err.instance:
                    if key in allowed:
                        continue
                    where = format_path(path) or "the top level"
                    yield _finding(
                        "RCL209", rc, path + (key,),
                        f'{rc.describe()}: unknown field "{key}" in {where} (the API server rejects it in strict '
                        f"mode and drops it otherwise){_unknown_field_hint(rc, path, key, allowed)}",
                        key=True,
                    )
                continue
            if _owned_elsewhere(rc, path, err.validator):
                continue
            if err.validator == "required":
                missing = err.message.split("'")[1] if "'" in err.message else err.message
                if path + (missing,) == rc.handler_path or (path, missing) == (("metadata",), "name"):
                    continue  # RCL202/RCL201
                yield _finding("RCL209", rc, path, f'{rc.describe()}: {format_path(path) or "object"} is missing required field "{missing}"',
                               key=bool(path))
                continue
            if err.validator == "type":
                expected = err.validator_value
                expected = " or ".join(expected) if isinstance(expected, list) else expected
                yield _finding("RCL209", rc, path,
                               f"{rc.describe()}: {format_path(path)} must be {_article(expected)}, not {_type_name(err.instance)}")
                continue
            yield _finding("RCL209", rc, path, f"{rc.describe()}: {format_path(path) or 'object'}: {err.message}")


def _article(expected: str) -> str:
    words = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
             "number": "a number", "boolean": "a boolean", "null": "null"}
    return " or ".join(words.get(w, w) for w in expected.split(" or "))
