"""Core value types shared by every layer: positions, findings, object references.

Positions are 1-based lines and columns (columns count Unicode code points), exactly as
displayed to users. They are computed in one place: the source layers (yamlsource,
tomlsource); everything else only passes them along.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


# The value classes are slotted: a big run holds thousands of findings, each with spans,
# related locations and a fix.
@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source region: 1-based line/column of its start, and of its end when known."""

    line: int
    column: int
    end_line: Optional[int] = None
    end_column: Optional[int] = None

    @classmethod
    def start_of_file(cls) -> "Span":
        return cls(1, 1)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The Kubernetes object a finding is about."""

    api_version: Optional[str]
    kind: Optional[str]
    namespace: Optional[str]
    name: Optional[str]

    def describe(self) -> str:
        kind = self.kind or "object"
        if self.namespace:
            return f"{kind} {self.namespace}/{self.name or '<unnamed>'}"
        return f"{kind} {self.name or '<unnamed>'}"

    def to_json(self) -> dict:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Related:
    """The other side of a cross-file finding ("RuntimeClass defined here")."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at `span` (start inclusive, end exclusive; 1-based lines, code-point
    columns, like every position) in `path` with `replacement`. An empty span inserts."""

    path: str
    span: Span
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A mechanical fix of one finding. `applicability` is "safe" (applied by --fix: it cannot
    change what the object means beyond the finding) or "unsafe" (applied only with
    --unsafe-fixes: it picks a value the user should confirm)."""

    applicability: str
    description: str
    edits: Tuple[Edit, ...]

    @property
    def safe(self) -> bool:
        return self.applicability == "safe"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place.

    `field` is a stable description of the offending node (a dotted path such as
    `spec.template.spec.runtimeClassName`, or a TOML key path) used for fingerprints
    and baselines: it does not change when unrelated lines move.
    `severity` is filled in by the engine from the catalogue and the configuration;
    checks leave it as None.

    A finding has parts, not a paragraph: `message` says what is wrong in about one line
    (at most 120 characters, the object named once); `help` is the one concrete fix (the
    YAML/TOML to add or change), empty when there is none; `notes` say why it matters (the
    exact error the cluster or runtime produces, the versions it holds for).
    """

    code: str
    message: str
    path: str
    span: Span
    object: Optional[ObjectRef] = None
    related: Tuple[Related, ...] = ()
    field: str = ""
    severity: Optional[Severity] = None
    help: str = ""
    notes: Tuple[str, ...] = ()
    fix: Optional[Fix] = None

    def sort_key(self):
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    def full_text(self) -> str:
        """Message, help and notes, one a line (for tests and plain-text consumers)."""
        return "\n".join(part for part in (self.message, self.help, *self.notes) if part)


def format_path(path: Tuple) -> str:
    """Render a document path like ('spec', 'containers', 0, 'name') as spec.containers[0].name."""
    out = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            text = str(part)
            if out and ("." in text or not text):
                out.append(f"[{text!r}]")
            elif "." in text:
                out.append(f"[{text!r}]")
            else:
                if out:
                    out.append(".")
                out.append(text)
    return "".join(out)


@dataclass
class Stats:
    """What a run read, for the summary line and the notes."""

    files: int = 0
    documents: int = 0
    parsed_documents: int = 0
    bytes: int = 0
    manifests: int = 0
    runtime_configs: int = 0
    notes: list = field(default_factory=list)
    suppressed: int = 0  # findings hidden by suppression comments or annotations
    baselined: int = 0   # findings hidden because the baseline knows them

    def count_loaded(self, lf, status: str) -> None:
        """Count one manifest input rclint.engine.load_one gave `lf` for, with `status`."""
        self.files += 1
        if status == "unread":
            self.manifests += 1  # not linted, but reported: the run has input
            return
        self.bytes += lf.size
        self.documents += lf.chunks
        self.parsed_documents += lf.parsed
        if lf.looks_like_manifest:
            self.manifests += 1

    def add_counts(self, other: "Stats") -> None:
        """Add what another part of the run read and hid (rclint.stream)."""
        for name in ("files", "documents", "parsed_documents", "bytes", "manifests", "suppressed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
