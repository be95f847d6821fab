"""schemas/runtimeclass-node.k8s.io-*.schema.json: structure and types of RuntimeClass objects."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
VERSIONS = ("v1", "v1beta1", "v1alpha1")


def _schema(version: str) -> dict:
    return json.loads((SCHEMAS / f"runtimeclass-node.k8s.io-{version}.schema.json").read_text(encoding="utf-8"))


def _validator(version: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(version))


def _errors(version: str, obj: object) -> list[tuple[list, str, str]]:
    """(path, validator keyword, message) of every error, sorted."""
    found = [(list(e.absolute_path), e.validator, e.message) for e in _validator(version).iter_errors(obj)]
    return sorted(found, key=lambda t: (list(map(str, t[0])), t[1], t[2]))


KATA_V1 = {
    "apiVersion": "node.k8s.io/v1",
    "kind": "RuntimeClass",
    "metadata": {"name": "kata-qemu", "labels": {"app.kubernetes.io/part-of": "kata"}, "annotations": {}},
    "handler": "kata-qemu",
    "overhead": {"podFixed": {"memory": "160Mi", "cpu": "250m"}},
    "scheduling": {
        "nodeSelector": {"katacontainers.io/kata-runtime": "true"},
        "tolerations": [
            {"key": "kata", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
            {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
    },
}

KATA_V1ALPHA1 = {
    "apiVersion": "node.k8s.io/v1alpha1",
    "kind": "RuntimeClass",
    "metadata": {"name": "kata"},
    "spec": {
        "runtimeHandler": "kata",
        "overhead": {"podFixed": {"memory": "120Mi", "cpu": 0.25}},
        "scheduling": {"nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [{"key": "k", "operator": "Exists"}]},
    },
}


def _v1beta1(obj: dict) -> dict:
    out = copy.deepcopy(obj)
    out["apiVersion"] = "node.k8s.io/v1beta1"
    return out


# --------------------------------------------------------------------------- the files themselves


@pytest.mark.parametrize("version", VERSIONS)
def test_schema_is_valid_draft_2020_12_with_id_title_and_descriptions(version):
    schema = _schema(version)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://rclint.dev/schemas/runtimeclass-node.k8s.io-{version}.json"
    assert schema["title"] == f"RuntimeClass (node.k8s.io/{version})"
    assert f"k8s.io/api/node/{version}/types.go" in schema["description"]
    assert schema["additionalProperties"] is False
    for name in ("objectMeta", "overhead", "scheduling", "toleration"):
        assert schema["$defs"][name]["description"]


@pytest.mark.parametrize("version", VERSIONS)
def test_object_meta_lists_every_field(version):
    meta = _schema(version)["$defs"]["objectMeta"]
    assert meta["additionalProperties"] is False
    assert set(meta["properties"]) == {
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    }


def test_readme_names_every_runtimeclass_schema():
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for version in VERSIONS:
        assert f"runtimeclass-node.k8s.io-{version}.schema.json" in readme
        assert f"k8s.io/api/node/{version}/types.go" in readme


# --------------------------------------------------------------------------- good objects


@pytest.mark.parametrize(
    "version, obj",
    [
        ("v1", KATA_V1),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "runc"}),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "gvisor"}, "handler": "runsc"}),
        # a real-world file: `nodeSelector:` with no value, which Kubernetes reads as empty
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "x"}, "handler": "x",
                "scheduling": {"nodeSelector": None, "tolerations": None}}),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "x", "labels": None, "annotations": None},
                "handler": "x", "overhead": None, "scheduling": None}),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "x", "overhead": {"podFixed": None}}),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "x", "overhead": {}}),
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "x",
                "metadata": {"name": "x", "creationTimestamp": None, "resourceVersion": "1", "uid": "u", "generation": 1,
                             "finalizers": [], "ownerReferences": [], "managedFields": [{"manager": "kubectl"}]}}),
        # tolerationSeconds 300.0 decodes into int64 (Kubernetes reads the number's text "300")
        ("v1", {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "x",
                "scheduling": {"tolerations": [{"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300.0}]}}),
        ("v1beta1", _v1beta1(KATA_V1)),
        ("v1alpha1", KATA_V1ALPHA1),
        ("v1alpha1", {"apiVersion": "node.k8s.io/v1alpha1", "kind": "RuntimeClass", "spec": {"runtimeHandler": "runc"}}),
    ],
)
def test_valid_objects(version, obj):
    assert _errors(version, obj) == []


# --------------------------------------------------------------------------- bad objects


def _v1(**fields: object) -> dict:
    obj = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "x"}, "handler": "x"}
    obj.update(fields)
    return obj


@pytest.mark.parametrize(
    "obj, errors",
    [
        (
            # the v1alpha1 layout under v1
            {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "x"}, "spec": {"runtimeHandler": "x"}},
            [
                ([], "additionalProperties", "Additional properties are not allowed ('spec' was unexpected)"),
                ([], "required", "'handler' is a required property"),
            ],
        ),
        (
            _v1(runtimeHandler="x"),
            [([], "additionalProperties", "Additional properties are not allowed ('runtimeHandler' was unexpected)")],
        ),
        (
            _v1(handler=5),
            [(["handler"], "type", "5 is not of type 'string'")],
        ),
        (
            _v1(kind="Runtimeclass"),
            [(["kind"], "const", "'RuntimeClass' was expected")],
        ),
        (
            _v1(apiVersion="node.k8s.io/v1beta1"),
            [(["apiVersion"], "const", "'node.k8s.io/v1' was expected")],
        ),
        (
            _v1(metadata={"name": "x", "nmae": "y"}),
            [(["metadata"], "additionalProperties", "Additional properties are not allowed ('nmae' was unexpected)")],
        ),
        (
            _v1(metadata={"name": 1, "labels": {"a": True}, "annotations": ["x"]}),
            [
                (["metadata", "annotations"], "type", "['x'] is not of type 'object', 'null'"),
                (["metadata", "labels", "a"], "type", "True is not of type 'string'"),
                (["metadata", "name"], "type", "1 is not of type 'string'"),
            ],
        ),
        (
            _v1(metadata=None),
            [(["metadata"], "type", "None is not of type 'object'")],
        ),
        (
            _v1(overhead={"podfixed": {"cpu": "1"}}),
            [(["overhead"], "additionalProperties", "Additional properties are not allowed ('podfixed' was unexpected)")],
        ),
        (
            _v1(overhead={"podFixed": {"cpu": True, "memory": ["1Gi"], "example.com/x": None}}),
            [
                (["overhead", "podFixed", "cpu"], "type", "True is not of type 'string', 'number'"),
                (["overhead", "podFixed", "example.com/x"], "type", "None is not of type 'string', 'number'"),
                (["overhead", "podFixed", "memory"], "type", "['1Gi'] is not of type 'string', 'number'"),
            ],
        ),
        (
            _v1(overhead={"podFixed": ["cpu"]}),
            [(["overhead", "podFixed"], "type", "['cpu'] is not of type 'object', 'null'")],
        ),
        (
            _v1(scheduling={"nodeSelector": {"kubernetes.io/os": "linux"}, "toleration": []}),
            [(["scheduling"], "additionalProperties", "Additional properties are not allowed ('toleration' was unexpected)")],
        ),
        (
            _v1(scheduling={"nodeSelector": {"katacontainers.io/kata-runtime": True, "zone": 1}}),
            [
                (["scheduling", "nodeSelector", "katacontainers.io/kata-runtime"], "type", "True is not of type 'string'"),
                (["scheduling", "nodeSelector", "zone"], "type", "1 is not of type 'string'"),
            ],
        ),
        (
            _v1(scheduling={"nodeSelector": ["kubernetes.io/os=linux"]}),
            [(["scheduling", "nodeSelector"], "type", "['kubernetes.io/os=linux'] is not of type 'object', 'null'")],
        ),
        (
            _v1(scheduling={"tolerations": {"key": "k"}}),
            [(["scheduling", "tolerations"], "type", "{'key': 'k'} is not of type 'array', 'null'")],
        ),
        (
            _v1(scheduling={"tolerations": [
                {"key": "k", "operator": "Exists"},
                {"key": 1, "value": True, "operator": None, "effect": ["NoSchedule"]},
                {"key": "k", "effect": "NoExecute", "tolerationSeconds": "300"},
                {"key": "k", "effect": "NoExecute", "tolerationSeconds": 1.5},
                {"key": "k", "Operator": "Exists"},
                "k=v:NoSchedule",
            ]}),
            [
                (["scheduling", "tolerations", 1, "effect"], "type", "['NoSchedule'] is not of type 'string'"),
                (["scheduling", "tolerations", 1, "key"], "type", "1 is not of type 'string'"),
                (["scheduling", "tolerations", 1, "operator"], "type", "None is not of type 'string'"),
                (["scheduling", "tolerations", 1, "value"], "type", "True is not of type 'string'"),
                (["scheduling", "tolerations", 2, "tolerationSeconds"], "type", "'300' is not of type 'integer'"),
                (["scheduling", "tolerations", 3, "tolerationSeconds"], "type", "1.5 is not of type 'integer'"),
                (["scheduling", "tolerations", 4], "additionalProperties", "Additional properties are not allowed ('Operator' was unexpected)"),
                (["scheduling", "tolerations", 5], "type", "'k=v:NoSchedule' is not of type 'object'"),
            ],
        ),
        (
            {"kind": "RuntimeClass"},
            [
                ([], "required", "'apiVersion' is a required property"),
                ([], "required", "'handler' is a required property"),
            ],
        ),
        (
            ["not", "an", "object"],
            [([], "type", "['not', 'an', 'object'] is not of type 'object'")],
        ),
    ],
)
def test_v1_errors(obj, errors):
    assert _errors("v1", obj) == errors


def test_v1beta1_has_the_v1_layout():
    obj = _v1beta1(_v1(spec={"runtimeHandler": "x"}))
    assert _errors("v1beta1", obj) == [([], "additionalProperties", "Additional properties are not allowed ('spec' was unexpected)")]
    assert _errors("v1beta1", _v1beta1({"apiVersion": "x", "kind": "RuntimeClass"})) == [
        ([], "required", "'handler' is a required property"),
    ]


@pytest.mark.parametrize(
    "obj, errors",
    [
        (
            # the v1 layout under v1alpha1
            {"apiVersion": "node.k8s.io/v1alpha1", "kind": "RuntimeClass", "metadata": {"name": "x"}, "handler": "x",
             "scheduling": {"nodeSelector": None}},
            [
                ([], "additionalProperties", "Additional properties are not allowed ('handler', 'scheduling' were unexpected)"),
                ([], "required", "'spec' is a required property"),
            ],
        ),
        (
            {"apiVersion": "node.k8s.io/v1alpha1", "kind": "RuntimeClass", "spec": {"handler": "x"}},
            [
                (["spec"], "additionalProperties", "Additional properties are not allowed ('handler' was unexpected)"),
                (["spec"], "required", "'runtimeHandler' is a required property"),
            ],
        ),
        (
            {"apiVersion": "node.k8s.io/v1alpha1", "kind": "RuntimeClass", "spec": None},
            [(["spec"], "type", "None is not of type 'object'")],
        ),
        (
            {"apiVersion": "node.k8s.io/v1alpha1", "kind": "RuntimeClass",
             "spec": {"runtimeHandler": "x", "overhead": {"podFixed": {"cpu": False}},
                      "scheduling": {"tolerations": [{"key": "k", "seconds": 1}]}}},
            [
                (["spec", "overhead", "podFixed", "cpu"], "type", "False is not of type 'string', 'number'"),
                (["spec", "scheduling", "tolerations", 0], "additionalProperties", "Additional properties are not allowed ('seconds' was unexpected)"),
            ],
        ),
    ],
)
def test_v1alpha1_errors(obj, errors):
    assert _errors("v1alpha1", obj) == errors
