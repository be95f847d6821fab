"""A RuntimeClass seen through its apiVersion: v1/v1beta1 keep handler, overhead and
scheduling at the top level; v1alpha1 keeps them under `spec` (handler as `runtimeHandler`)."""

from __future__ import annotations

import re
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


# kata-deploy's RuntimeClasses (tools/packaging/kata-deploy/runtimeclasses/): the VM's footprint.
_KATA_DEPLOY = {
    "kata-qemu": ("160Mi", "250m"), "kata-qemu-runtime-rs": ("160Mi", "250m"),
    "kata-qemu-coco-dev": ("160Mi", "250m"), "kata-qemu-coco-dev-runtime-rs": ("160Mi", "250m"),
    "kata-qemu-se-runtime-rs": ("160Mi", "250m"),
    "kata-clh": ("130Mi", "250m"), "kata-cloud-hypervisor": ("130Mi", "250m"), "kata-dragonball": ("130Mi", "250m"),
    "kata-fc": ("130Mi", "250m"), "kata-stratovirt": ("130Mi", "250m"), "kata-remote": ("120Mi", "250m"),
    "kata-qemu-nvidia-gpu": ("4096Mi", '"1"'), "kata-qemu-nvidia-gpu-snp": ("20480Mi", '"1"'),
    "kata-qemu-nvidia-gpu-tdx": ("20480Mi", '"1"'), "kata-qemu-se": ("2048Mi", '"1"'),
    "kata-qemu-snp": ("2048Mi", '"1"'), "kata-qemu-tdx": ("2048Mi", '"1"'), "kata-qemu-cca": ("2048Mi", '"1"'),
}
_CONFIDENTIAL = re.compile(r"(tdx|snp|sev|cca|(^|-)se($|-))")


def suggested_overhead(handler: str) -> Tuple[str, str]:
    """(memory, cpu) as YAML text for overhead.podFixed: kata-deploy's values for the handler, or
    for the hypervisor its name says."""
    h = handler.lower()
    if h in _KATA_DEPLOY:
        return _KATA_DEPLOY[h]
    if "nvidia-gpu" in h:
        return ("20480Mi", '"1"') if _CONFIDENTIAL.search(h) else ("4096Mi", '"1"')
    if _CONFIDENTIAL.search(h):
        return "2048Mi", '"1"'
    if "remote" in h:
        return "120Mi", "250m"
    if any(x in h for x in ("clh", "cloud-hypervisor", "-fc", "firecracker", "dragonball", "stratovirt")):
        return "130Mi", "250m"
    return "160Mi", "250m"
