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

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


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
