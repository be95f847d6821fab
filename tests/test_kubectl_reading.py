"""Positions and values of the kubectl-faithful reader, one test per way a generic YAML library
and kubectl disagree (tests/test_kubectl_differential.py checks the same against kubectl)."""

from __future__ import annotations

from rclint.kube.objects import objects_in
from rclint.loader import load_manifest_bytes
from rclint.model import Span

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  runtimeClassName: kata\n"


def load(data, name="f.yaml", **kw):
    data = data.encode() if isinstance(data, str) else data
    return load_manifest_bytes(name, data, max_file_size=10**7, **kw)


def codes(lf):
    return [(f.code, f.span.line, f.span.column) for f in lf.findings]


def names(lf):
    return [o.name for d in lf.documents for o in objects_in(d)]


def test_colon_inside_flow_scalars_is_text():
    lf = load("apiVersion: v1\nkind: Pod\nmetadata: {name: win}\nspec:\n  runtimeClassName: kata\n"
              "  containers: [{name: c, image: mcr.microsoft.com/windows/nanoserver:ltsc2022}]\n"
              "  args: [http://a.example/x]\n")
    assert codes(lf) == []
    doc = lf.documents[0]
    assert doc.value["spec"]["containers"][0]["image"] == "mcr.microsoft.com/windows/nanoserver:ltsc2022"
    assert doc.value_span(("spec", "containers", 0, "image")) == Span(6, 33, 6, 78)
    assert doc.value_span(("spec", "runtimeClassName")) == Span(5, 21, 5, 25)


def test_bytes_that_are_not_utf8_in_a_comment():
    lf = load(POD.format(name="p").encode() + b"# caf\xe9\n")
    assert codes(lf) == [] and names(lf) == ["p"]


def test_several_json_objects_in_one_file_with_positions():
    text = ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}\n'
            '{"apiVersion": "v1", "kind": "Pod",\n "metadata": {"name": "b"}, "spec": {"runtimeClassName": "kata"}}\n')
    lf = load(text, "pods.json")
    assert codes(lf) == [] and names(lf) == ["a", "b"]
    doc = lf.documents[1]
    assert doc.value_span(("spec", "runtimeClassName")) == Span(3, 58, 3, 64)
    assert doc.key_span(("metadata", "name")) == Span(3, 15, 3, 21)


def test_json_stream_error_keeps_what_came_before():
    text = ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"runtimeClassName": "k"}}\n'
            '{"kind": "Pod",}\n')
    lf = load(text, "pods.json")
    assert names(lf) == ["a"]
    assert codes(lf) == [("RCL001", 2, 16)]


def test_bom_at_the_start_of_a_later_document():
    lf = load(POD.format(name="a") + "---\n\ufeff" + POD.format(name="b"))
    assert codes(lf) == [] and names(lf) == ["a", "b"]
    assert lf.documents[1].key_span(("apiVersion",)) == Span(8, 1, 8, 11)


def test_text_after_document_end_is_never_read():
    lf = load(POD.format(name="p") + "...\nfoo: [\n")
    assert codes(lf) == [] and names(lf) == ["p"]
    lf = load(POD.format(name="p") + "...\n" + POD.format(name="q"))
    assert names(lf) == ["p"]


def test_json_surrogate_pairs_and_lone_surrogates():
    lf = load('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x\\ud83d\\ude00", '
              '"annotations": {"a": "\\ud800"}}, "spec": {"runtimeClassName": "kata"}}\n', "p.json")
    assert codes(lf) == []
    md = lf.documents[0].value["metadata"]
    assert md["name"] == "x\U0001F600" and md["annotations"]["a"] == "\ufffd"


def test_escaped_single_quote_in_double_quotes():
    lf = load("apiVersion: v1\nkind: Pod\nmetadata: {name: \"it\\'s\"}\nspec: {runtimeClassName: kata}\n")
    assert codes(lf) == [] and names(lf) == ["it's"]


def test_separator_followed_by_a_comment():
    lf = load(POD.format(name="a") + "---# next\n" + POD.format(name="b"))
    assert codes(lf) == [] and names(lf) == ["a", "b"]


def test_separator_followed_by_content_stops_the_file():
    text = POD.format(name="a") + "---\n" + POD.format(name="b") + "---apiVersion: v1\nkind: Pod\n"
    lf = load(text)
    assert codes(lf) == [("RCL001", 14, 4)]
    finding = lf.findings[0]
    assert finding.message == "YAML syntax error: `---` followed by 'apiVersion: v1' is no document separator"
    assert finding.help.startswith("put `---` on a line of its own")
    assert finding.notes[0] == "kubectl: invalid Yaml document separator: apiVersion: v1"
    assert names(lf) == ["a"]  # the document the bad separator would have ended is lost too


def test_yaml_only_syntax_in_a_file_starting_with_a_brace():
    lf = load('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a",}}\n', "p.json")
    assert codes(lf) == [("RCL001", 1, 62)] and lf.documents == []
    lf = load("{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {runtimeClassName: kata}}\n")
    assert codes(lf) == [("RCL001", 1, 2)]
    lf = load("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {runtimeClassName: kata}\n", "p.json")
    assert codes(lf) == [] and names(lf) == ["a"]  # not starting with '{': YAML


def test_yaml_directives_are_refused():
    lf = load("%YAML 1.1\n---\n" + POD.format(name="a"))
    assert [c[0] for c in codes(lf)] == ["RCL001"] and lf.documents == []


def test_slash_escape_is_refused_where_kubectl_refuses_it():
    lf = load(POD.format(name="a") + "  nodeSelector: {a: \"x\\/y\"}\n")
    assert codes(lf) == [("RCL001", 7, 23)] and lf.documents == []
    lf = load(POD.format(name="a") + "  nodeSelector: {a: 'x\\/y'}\n")
    assert codes(lf) == [] and lf.documents[0].value["spec"]["nodeSelector"] == {"a": "x\\/y"}


def test_merge_after_an_explicit_key_wins():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nx: &d {runtimeClassName: gvisor}\n"
            "spec:\n  runtimeClassName: kata\n  <<: *d\n")
    lf = load(text)
    assert lf.documents[0].value["spec"]["runtimeClassName"] == "gvisor"


def test_numbers_and_keys_as_go_yaml_types_them():
    text = POD.format(name="n") + ("  tolerations: [{key: a, tolerationSeconds: 08}, {key: b, tolerationSeconds: 0X1F}]\n"
                                   "  nodeSelector: {on: a, 1: b}\n")
    spec = load(text).documents[0].value["spec"]
    assert [t["tolerationSeconds"] for t in spec["tolerations"]] == [8.0, 31]
    assert spec["nodeSelector"] == {"true": "a", "1": "b"}


def test_values_json_cannot_hold_are_refused():
    lf = load(POD.format(name="n") + "  nodeSelector: {a: .inf}\n")
    assert codes(lf) == [("RCL001", 7, 21)]
    assert "cannot convert" in lf.findings[0].message
    lf = load(POD.format(name="n") + "  nodeSelector: {~: a}\n")
    assert codes(lf) == [("RCL001", 7, 18)]


def test_items_of_a_podlist_without_kind_are_pods():
    text = ("apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {runtimeClassName: kata}\n"
            "- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n")
    objs = [o for d in load(text).documents for o in objects_in(d)]
    assert [(o.kind, o.api_version, o.name) for o in objs] == [("Pod", "v1", "a"), ("Pod", "v1", "b")]
    text = "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n  spec: {runtimeClassName: kata}\n"
    assert names(load(text)) == []


def test_a_syntax_error_stops_the_file():
    lf = load(POD.format(name="a") + "---\nfoo: [\n---\n" + POD.format(name="b"))
    assert names(lf) == ["a"]
    assert codes(lf) == [("RCL001", 9, 1)]


def test_json_key_over_1024_characters():
    key = "k" * 1500
    lf = load('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"' + key
              + '": "v"}}, "spec": {"runtimeClassName": "kata"}}\n', "p.json")
    assert codes(lf) == [] and names(lf) == ["p"]
    assert lf.documents[0].value["metadata"]["annotations"] == {key: "v"}
