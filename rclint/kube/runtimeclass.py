"""A RuntimeClass seen through its apiVersion: v1/v1beta1 keep handler, overhead and
scheduling at the top level; v1alpha1 keeps them under `spec` (handler as `runtimeHandler`)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from rclint.kube.objects import KubeObject

Path = Tuple[Any, ...]


class RuntimeClassView:
    __slots__ = ("obj", "version", "base")

    def __init__(self, obj: KubeObject):
        self.obj = obj
        av = obj.api_version or ""
        self.version = av.partition("/")[2]
        self.base: Path = ("spec",) if self.version == "v1alpha1" else ()

    @property
    def name(self) -> Optional[str]:
        return self.obj.name

    @property
    def path(self) -> str:
        return self.obj.path

    @property
    def handler_path(self) -> Path:
        return ("spec", "runtimeHandler") if self.version == "v1alpha1" else ("handler",)

    @property
    def handler(self) -> Any:
        return self.obj.get(self.handler_path)

    @property
    def handler_str(self) -> Optional[str]:
        h = self.handler
        return h if isinstance(h, str) else None

    def field_path(self, *rel: Any) -> Path:
        return self.base + tuple(rel)

    def get(self, *rel: Any, default: Any = None) -> Any:
        return self.obj.get(self.field_path(*rel), default)

    @property
    def overhead(self) -> Any:
        return self.get("overhead", "podFixed")

    @property
    def node_selector(self) -> Any:
        return self.get("scheduling", "nodeSelector")

    @property
    def tolerations(self) -> Any:
        return self.get("scheduling", "tolerations")

    def content(self) -> dict:
        """What makes two definitions of the same name equal (labels/annotations aside)."""
        return {
            "handler": self.handler,
            "overhead": self.get("overhead"),
            "scheduling": self.get("scheduling"),
        }

    def describe(self) -> str:
        return f'RuntimeClass "{self.name}"' if self.name else "RuntimeClass <unnamed>"
