"""A quick yes/no JSON Schema check for the small RuntimeClass and runtime-table schemas,
without jsonschema.

`surely_valid(schema, instance)` is True only when the instance certainly satisfies the schema:
it knows the few keywords those schemas use (type, const, properties, additionalProperties,
required, items, local $ref) and answers False for anything else, so that the caller runs the
full validator for the exact errors. Most RuntimeClasses and runtime tables are valid, and importing jsonschema
costs more than a small run (about 30 ms).
"""

from __future__ import annotations

from typing import Any

_ANNOTATIONS = frozenset(["$schema", "$id", "$defs", "title", "description", "$comment"])
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def surely_valid(schema: dict, instance: Any, root: dict = None, depth: int = 0) -> bool:
    root = schema if root is None else root
    if depth > 50 or not isinstance(schema, dict):
        return False
    for key, want in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "$ref":
            if not isinstance(want, str) or not want.startswith("#/$defs/"):
                return False
            target = root.get("$defs", {}).get(want[len("#/$defs/"):])
            if not surely_valid(target, instance, root, depth + 1):
                return False
        elif key == "type":
            names = want if isinstance(want, list) else [want]
            if not any(name in _TYPES and _TYPES[name](instance) for name in names):
                return False
        elif key == "const":
            if type(instance) is not type(want) or instance != want or isinstance(want, (dict, list, float)):
                return False
        elif key == "required":
            if isinstance(instance, dict) and not all(name in instance for name in want):
                return False
        elif key == "properties":
            if isinstance(instance, dict):
                for name, sub in want.items():
                    if name in instance and not surely_valid(sub, instance[name], root, depth + 1):
                        return False
        elif key == "additionalProperties":
            if isinstance(instance, dict):
                known = schema.get("properties", {})
                if schema.get("patternProperties"):
                    return False
                for name, value in instance.items():
                    if name in known:
                        continue
                    if want is False or not (want is True or surely_valid(want, value, root, depth + 1)):
                        return False
        elif key == "items":
            if isinstance(instance, list) and not (want is True or all(
                    surely_valid(want, item, root, depth + 1) for item in instance)):
                return False
        else:
            return False  # a keyword this check does not know: let the full validator decide
    return True
