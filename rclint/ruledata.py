"""What a rule file says, as `rclint.catalog` reads it (defined apart from the catalogue so that
a run that needs only the rules' severities does not pay for defining these classes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

from rclint.model import Severity


@dataclass(frozen=True)
class Example:
    """One example of a rule file: the files it is made of and whether rclint flags them."""

    name: str
    kind: str  # "bad" or "good"
    files: Dict[str, str]
    config: dict = field(default_factory=dict)
    args: tuple = ()
    # bad examples of a fixable rule: the files `--fix` changes, as they read afterwards
    fixed: Optional[Dict[str, str]] = None


@dataclass(frozen=True)
class Rule:
    """One rule as its `rules/RCLnnn.yaml` file describes it."""

    id: str
    name: str
    title: str
    severity: Severity
    status: str
    applies_to: tuple
    rationale: str
    remediation: str
    references: tuple
    examples: tuple
    fix: str = "none"  # "safe" | "unsafe" | "none": what `--fix` may do for this rule
    fix_summary: str = ""  # what the fix changes
    # CVSS-like score "0.1".."10.0" for rules about sandbox isolation: GitHub code scanning
    # shows those as security alerts (SARIF `properties.security-severity`).
    security_severity: Optional[str] = None
    # what each part of a finding says: {"message": ..., "help": ..., "notes": ...}
    parts: tuple = ()

    @property
    def help_uri(self) -> str:
        return f"https://github.com/rclint/rclint/blob/main/rules/{self.id}.yaml"
