"""RCL0xx/RCL2xx checks on single objects: what the API server would reject or warn about."""

from __future__ import annotations

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
from rclint.suggest import closest

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


MAX_MESSAGE = 100  # aim; the hard limit is 120


def split_problem(text: str) -> Tuple[str, Tuple[str, ...]]:
    """A validator's sentence -> (the point, the explanation): "'160MB' is not a valid quantity:
    expected ..." becomes "'160MB' is not a valid quantity" and a note "expected ..."."""
    cuts = [i for i in (text.find(": "), text.find("; ")) if i > 0]
    head, notes = text, []
    if cuts:
        i = min(cuts)
        head, rest = text[:i], text[i + 2:].strip()
        if rest:
            notes.append(rest)
    paren = head.find(" (")
    if paren > 0 and head.endswith(")") and len(head) > 60:
        notes.insert(0, head[paren + 2:-1])
        head = head[:paren]
    return head, tuple(notes)


def _finding(code: str, rc_or_obj, path: Path, message: str, *, key: bool = False, related=(), help: str = "",
             notes: Tuple[str, ...] = ()) -> Finding:
    obj = rc_or_obj.obj if isinstance(rc_or_obj, RuntimeClassView) else rc_or_obj
    span = obj.key_span(path) if key else obj.value_span(path)
    return Finding(code, message, obj.path, span, obj.ref, tuple(related), field=format_path(path), help=help,
                   notes=tuple(notes))


# --------------------------------------------------------------------------- RCL004


@check("RCL004")
def duplicate_key(ctx: Context) -> Iterable[Finding]:
    by_doc = {}
    for obj in ctx.inventory.objects:
        by_doc.setdefault(id(obj.doc), []).append(obj)
    for objs in by_doc.values():
        doc = objs[0].doc
        by_base = {}
        for o in objs:
            by_base.setdefault(o.base, o)
        for path, span, first in doc.duplicates:
            # the innermost object holding the key (a List's own keys: its first item)
            owner = next((by_base[path[:n]] for n in range(len(path), -1, -1) if path[:n] in by_base), None)
            obj = owner if owner is not None else objs[0]
            rel = path[len(obj.base):] if owner is not None else path
            yield Finding(
                "RCL004",
                f'duplicate key "{path[-1]}" in {obj.describe()} (first at line {first.line})',
                obj.path,
                span,
                obj.ref,
                (Related(obj.path, first, f'first "{path[-1]}" here'),),
                field=format_path(rel),
                help=f'keep one "{path[-1]}" key',
                notes=("the API server's strict decoding rejects the object; kubectl silently keeps the last value",),
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
            yield _finding("RCL201", rc, where, "RuntimeClass has no metadata.name",
                           key=where == ("metadata",), help="metadata: {name: <name>}",
                           notes=("a RuntimeClass needs a name: pods select it with runtimeClassName",))
            continue
        if name is None:
            if isinstance(meta.get("generateName"), str):
                continue
            yield _finding("RCL201", rc, ("metadata",), "RuntimeClass has no metadata.name", key=True,
                           help="metadata: {name: <name>}")
            continue
        if not isinstance(name, str):
            yield _finding("RCL201", rc, ("metadata", "name"),
                           f"RuntimeClass metadata.name must be a string, not {_type_name(name)}",
                           help=f'name: "{name}"' if isinstance(name, (int, float)) and not isinstance(name, bool) else "")
            continue
        problem = dns1123_subdomain_problem(name)
        if problem:
            fix = name.strip().lower().replace("_", "-").strip(".-")
            yield _finding(
                "RCL201", rc, ("metadata", "name"),
                f'RuntimeClass name "{name}" is not a valid DNS subdomain',
                help=f"name: {fix}" if fix and fix != name and not dns1123_subdomain_problem(fix) else "",
                notes=(f"it {problem}" if problem.startswith("must") else problem,
                       "the API server rejects the object"),
            )


@check("RCL202")
def invalid_handler(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        obj = rc.obj
        hp = rc.handler_path
        field_name = format_path(hp)
        if not obj.has(hp) or rc.handler is None:
            where = hp if obj.has(hp) else ("kind",)
            yield _finding("RCL202", rc, where, f"{rc.describe()} has no {field_name}",
                           help=f"{field_name.split('.')[-1]}: <runtime handler configured on the nodes, e.g. runc, kata, runsc>",
                           notes=("the field is required: the API server rejects the object",))
            continue
        handler = rc.handler
        if not isinstance(handler, str):
            yield _finding("RCL202", rc, hp, f"{rc.describe()}: {field_name} must be a string, not {_type_name(handler)}",
                           help=f'{field_name.split(".")[-1]}: "{handler}"' if isinstance(handler, (int, float)) else "")
            continue
        problem = dns1123_label_problem(handler)
        if problem:
            fix = handler.lower().replace("_", "-").replace(".", "-")
            usable = not dns1123_label_problem(fix) and fix != handler
            shown = f'handler "{handler}"' if len(handler) <= 40 else f"handler ({len(handler)} characters)"
            yield _finding(
                "RCL202", rc, hp,
                f"{rc.describe()}: {shown} is not a valid DNS label",
                help=f"handler: {fix}" if usable else "",
                notes=(f"it {problem}" if problem.startswith("must") else problem,
                       "the API server rejects the object"),
            )


# --------------------------------------------------------------------------- RCL203


def _overhead_findings(obj, path: Path, owner: str, schema_checked: bool = False) -> Iterator[Finding]:
    value = obj.get(path)
    if value is None or (schema_checked and not isinstance(value, dict)):
        return  # a RuntimeClass's wrong type is RCL209's
    for sub, message in overhead_problems(value):
        p = path + tuple(sub)
        head, notes = split_problem(message) if len(message) > 50 else (message, ())
        if sub and head.startswith(f"'{sub[-1]}' is "):
            head = "it" + head[len(f"'{sub[-1]}'"):]  # the path names the key already
            head = head.replace("it is an extended resource, so it must be", "an extended resource must be")
        yield _finding("RCL203", obj, p, f"{owner} {format_path(p)}: {head}", key=bool(sub), notes=notes)


@check("RCL203")
def invalid_overhead(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes if ctx.rc_part else ():
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
                yield _finding("RCL204", rc, path, f'{rc.describe()}: nodeSelector key "{key}" is not a valid label key',
                               key=True, notes=(problem, "the API server rejects the object"))
            if not isinstance(value, str):
                scalar = isinstance(value, (bool, int, float))
                text = str(value).lower() if isinstance(value, bool) else str(value)
                yield _finding("RCL204", rc, path,
                               f'{rc.describe()}: nodeSelector value for "{key}" must be a string, not {_type_name(value)}',
                               help=f'{key}: "{text}"' if scalar else "",
                               notes=("label values are strings: quote the value",) if scalar else ())
                continue
            problem = label_value_problem(value)
            if problem:
                shown = f'"{value}" ' if len(value) <= 40 else ""
                yield _finding("RCL204", rc, path, f'{rc.describe()}: nodeSelector value {shown}for "{key}" is not a valid label value',
                               notes=(problem, "the API server rejects the object"))


@check("RCL207")
def deprecated_node_label(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        for key, _value, path in _selector_items(rc):
            advice = deprecated_node_label_message(key)
            if advice:
                yield _finding("RCL207", rc, path,
                               f'{rc.describe()}: nodeSelector uses the deprecated node label "{key}"',
                               key=True, notes=(advice,))


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
                head, notes = split_problem(message) if len(message) > 50 else (message, ())
                yield _finding("RCL205", rc, p, f"{rc.describe()}: {format_path(p)}: {head}", notes=notes)
        for first, dup in duplicate_tolerations(tols, empty_operator_is_equal=False):
            p = base + (dup,)
            yield _finding(
                "RCL205", rc, p,
                f"{rc.describe()}: {format_path(p)} duplicates tolerations[{first}]",
                help=f"remove {format_path(p)}",
                notes=("same key, operator, value and effect",),
                related=(Related(rc.path, rc.obj.value_span(base + (first,)), f"tolerations[{first}] here"),),
            )


# --------------------------------------------------------------------------- RCL206


@check("RCL206")
def removed_api_version(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        if rc.version == "v1beta1":
            msg = f"{rc.describe()} uses node.k8s.io/v1beta1, which is not served since Kubernetes 1.25"
            help_text = "apiVersion: node.k8s.io/v1"
            notes: Tuple[str, ...] = ("the rest of the object stays the same",)
        elif rc.version == "v1alpha1":
            msg = f"{rc.describe()} uses node.k8s.io/v1alpha1, an alpha API clusters do not serve"
            help_text = ("apiVersion: node.k8s.io/v1, with spec.runtimeHandler as handler and spec.overhead, "
                         "spec.scheduling moved to the top level")
            notes = ()
        else:
            continue
        yield _finding("RCL206", rc, ("apiVersion",), msg, help=help_text, notes=notes)


# --------------------------------------------------------------------------- RCL208


@check("RCL208")
def invalid_runtime_class_reference(ctx: Context) -> Iterable[Finding]:
    for ref in ctx.inventory.pod_specs:
        spec = ref.spec
        if "runtimeClassName" not in spec or spec["runtimeClassName"] is None:
            continue
        value = spec["runtimeClassName"]
        path = ref.field("runtimeClassName")
        help_text = ""
        notes: Tuple[str, ...] = ()
        if not isinstance(value, str):
            msg = f"{ref.describe()}: runtimeClassName must be a string, not {_type_name(value)}"
            if isinstance(value, (bool, int, float)):
                help_text = f'runtimeClassName: "{str(value).lower() if isinstance(value, bool) else value}"'
        elif value == "":
            msg = f"{ref.describe()}: runtimeClassName is empty"
            help_text = "remove runtimeClassName to use the nodes' default handler"
            notes = ("the API server rejects an empty name",)
        else:
            problem = dns1123_subdomain_problem(value)
            if not problem:
                continue
            fix = value.strip().lower().replace("_", "-")
            if fix != value and not dns1123_subdomain_problem(fix):
                help_text = f"runtimeClassName: {fix}"
            msg = f'{ref.describe()}: runtimeClassName "{value}" is not a valid RuntimeClass name'
            notes = (f"it {problem}" if problem.startswith("must") else problem, "the API server rejects the pod")
        yield _finding("RCL208", ref.obj, path, msg, help=help_text, notes=notes)


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
    """The fix for an unknown field ("" when there is no clear one)."""
    if rc.version in ("v1", "v1beta1") and parent == () and key == "spec":
        return f"move handler, overhead and scheduling to the top level: node.k8s.io/{rc.version} has no spec"
    if rc.version in ("v1", "v1beta1") and key == "runtimeHandler":
        if "handler" in (rc.obj.value if parent == () else {}):
            return f"remove runtimeHandler: node.k8s.io/{rc.version} uses handler, which is already set"
        return 'rename it to "handler"'
    if rc.version == "v1alpha1" and parent == () and key in ("handler", "overhead", "scheduling"):
        return "move it under spec (node.k8s.io/v1alpha1), or move the object to node.k8s.io/v1"
    if rc.version == "v1alpha1" and parent == ("spec",) and key == "handler":
        return 'rename it to "runtimeHandler" (node.k8s.io/v1alpha1)'
    guess = closest(key, allowed) if isinstance(key, str) else None
    return f'rename it to "{guess}"' if guess and guess != key else ""


@check("RCL209")
def malformed_runtime_class(ctx: Context) -> Iterable[Finding]:
    for rc in ctx.inventory.runtime_classes:
        obj = rc.obj
        if rc.version not in _SCHEMAS:
            yield _finding("RCL209", rc, ("apiVersion",),
                           f'{rc.describe()}: unknown RuntimeClass apiVersion "{obj.api_version}"',
                           help="apiVersion: node.k8s.io/v1")
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
                        f'{rc.describe()}: unknown field "{key}" in {where}',
                        key=True,
                        help=_unknown_field_hint(rc, path, key, allowed),
                        notes=("the API server rejects it in strict mode and drops it otherwise",),
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
