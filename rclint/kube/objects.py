"""Kubernetes objects inside YAML documents, and where each kind keeps its pod spec."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator, List, Optional, Tuple

from rclint.model import ObjectRef, Span
from rclint.yamlsource import YamlDoc

Path = Tuple[Any, ...]

# Where the PodSpec lives, per kind (runtimeClassName sits directly inside it).
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

RUNTIME_CLASS_GROUP = "node.k8s.io"


@dataclass
class KubeObject:
    """A Kubernetes object: a whole document, or one `items[i]` of a List."""

    doc: YamlDoc
    base: Path
    value: dict

    @property
    def api_version(self) -> Optional[str]:
        v = self.value.get("apiVersion")
        return v if isinstance(v, str) else None

    @property
    def kind(self) -> Optional[str]:
        v = self.value.get("kind")
        return v if isinstance(v, str) else None

    @property
    def metadata(self) -> dict:
        m = self.value.get("metadata")
        return m if isinstance(m, dict) else {}

    @property
    def name(self) -> Optional[str]:
        n = self.metadata.get("name")
        return n if isinstance(n, str) else None

    @property
    def namespace(self) -> Optional[str]:
        n = self.metadata.get("namespace")
        return n if isinstance(n, str) else None

    @property
    def path(self) -> str:
        return self.doc.path

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.namespace, self.name)

    def get(self, rel: Path, default: Any = None) -> Any:
        return self.doc.get(self.base + tuple(rel), default)

    def has(self, rel: Path) -> bool:
        sentinel = object()
        return self.get(rel, sentinel) is not sentinel

    def value_span(self, rel: Path) -> Span:
        return self.doc.value_span(self.base + tuple(rel))

    def key_span(self, rel: Path) -> Span:
        return self.doc.key_span(self.base + tuple(rel))

    def describe(self) -> str:
        return self.ref.describe()

    @property
    def is_runtime_class(self) -> bool:
        av = self.api_version or ""
        return self.kind == "RuntimeClass" and av.split("/")[0] == RUNTIME_CLASS_GROUP


@dataclass
class PodSpecRef:
    """A pod spec inside an object: a Pod's own, or a workload's template."""

    obj: KubeObject
    spec_path: Path  # relative to obj

    @cached_property
    def spec(self) -> dict:
        s = self.obj.get(self.spec_path)
        return s if isinstance(s, dict) else {}

    @property
    def template_metadata_path(self) -> Optional[Path]:
        if self.obj.kind == "Pod":
            return None
        return self.spec_path[:-1] + ("metadata",)

    def field(self, *rel: Any) -> Path:
        return self.spec_path + tuple(rel)

    def describe(self) -> str:
        return self.obj.describe()


def is_kube_object(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
    )


def objects_in(doc: YamlDoc) -> Iterator[KubeObject]:
    """The objects of a document: itself, or the items of a `List`/`*List` (recursively)."""
    yield from _objects(doc, (), doc.value, 0)


def _objects(doc: YamlDoc, base: Path, value: Any, depth: int) -> Iterator[KubeObject]:
    if not is_kube_object(value):
        return
    kind = value["kind"]
    items = value.get("items")
    if kind.endswith("List") and isinstance(items, list) and depth < 8:
        for i, item in enumerate(items):
            yield from _objects(doc, base + ("items", i), item, depth + 1)
        return
    yield KubeObject(doc, base, value)


def pod_spec_of(obj: KubeObject) -> Optional[PodSpecRef]:
    path = POD_SPEC_PATHS.get(obj.kind or "")
    if path is None:
        return None
    # Only core/apps/batch kinds carry pod specs; a CRD that reuses a kind name does not.
    av = obj.api_version or ""
    group = av.split("/")[0] if "/" in av else ""
    if group not in ("", "apps", "batch", "extensions"):
        return None
    if not isinstance(obj.get(path), dict):
        return None
    return PodSpecRef(obj, path)


def pod_specs(objects: List[KubeObject]) -> List[PodSpecRef]:
    out = []
    for obj in objects:
        ref = pod_spec_of(obj)
        if ref is not None:
            out.append(ref)
    return out
