"""Checks: one function per rule code, registered with @check("RCLnnn").

A check reads the whole inventory and yields Findings without severity: the engine applies
severity, selection, suppressions and sorting. Checks never print and never raise on input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable

from rclint.inventory import Inventory
from rclint.model import Finding

CheckFn = Callable[["Context"], Iterable[Finding]]
REGISTRY: Dict[str, CheckFn] = {}


@dataclass
class Context:
    inventory: Inventory
    settings: object
    notes: list = field(default_factory=list)  # said once in the summary
    memo: dict = field(default_factory=dict)  # work shared between checks (placement by distinct combination)
    # False in the second pass (rclint.stream), which holds some of the pod specs and none of
    # the other objects: POD_CHECKS then say only what they say about those pod specs
    rc_part: bool = True

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


# The checks that read pod specs or the objects around them (Inventory.pod_specs, .objects):
# the second pass runs these, and only these, over each batch of its files. What they say of
# RuntimeClasses, nodes and runtime configs they say only when `Context.rc_part` is set.
POD_CHECKS = frozenset({"RCL004", "RCL101", "RCL105", "RCL106", "RCL107", "RCL110", "RCL111", "RCL112",
                        "RCL203", "RCL208", "RCL401", "RCL402", "RCL404"})


def check(code: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise RuntimeError(f"two checks registered for {code}")
        REGISTRY[code] = fn
        return fn

    return register


def load_all() -> Dict[str, CheckFn]:
    """Import every check module (registration happens at import)."""
    from rclint.checks import compat, nodes, objects, placement, references  # noqa: F401

    return REGISTRY
