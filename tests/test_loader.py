"""Positions and robustness of the YAML loading layer."""

from __future__ import annotations

import codecs

import pytest

from rclint.loader import load_manifest_bytes
from rclint.model import Span
from rclint.yamlsource import Chunk, parse_chunk, split_documents, type_plain_scalar

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata\n"


def load(text_or_bytes, **kw):
    data = text_or_bytes.encode() if isinstance(text_or_bytes, str) else text_or_bytes
    return load_manifest_bytes("f.yaml", data, max_file_size=kw.pop("max_file_size", 10**7), **kw)


def rcn_span(lf, doc_index=0):
    doc = lf.documents[doc_index]
    return doc.value_span(("spec", "runtimeClassName"))


def test_block_position():
    lf = load(POD)
    assert rcn_span(lf) == Span(6, 21, 6, 25)
    assert lf.documents[0].key_span(("spec", "runtimeClassName")) == Span(6, 3, 6, 19)


def test_multi_document_positions_are_file_positions():
    text = "# leading comment\n---\n" + POD + "---\nkind: ConfigMap\napiVersion: v1\n---\n" + POD
    lf = load(text)
    assert [d.index for d in lf.documents] == [0, 2]
    assert rcn_span(lf, 0).line == 8
    assert rcn_span(lf, 1) == Span(18, 21, 18, 25)


def test_flow_style_and_json():
    lf = load('{"apiVersion": "v1", "kind": "Pod",\n "spec": {"runtimeClassName": "kata"}}\n')
    assert rcn_span(lf) == Span(2, 31, 2, 37)
    lf = load("apiVersion: v1\nkind: Pod\nspec: {containers: [], runtimeClassName: kata}\n")
    assert rcn_span(lf) == Span(3, 42, 3, 46)


def test_crlf_line_endings():
    lf = load(POD.replace("\n", "\r\n"))
    assert rcn_span(lf) == Span(6, 21, 6, 25)


def test_utf8_bom():
    lf = load(codecs.BOM_UTF8 + POD.encode())
    assert rcn_span(lf) == Span(6, 21, 6, 25)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_with_bom(encoding):
    data = POD.replace("\n", "\r\n").encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    lf = load(data)
    assert not lf.findings
    assert rcn_span(lf) == Span(6, 21, 6, 25)


def test_columns_count_code_points():
    lf = load("apiVersion: v1\nkind: Pod\nmetadata: {name: \"é€😀\", x: y}\nspec: {runtimeClassName: kata}\n")
    doc = lf.documents[0]
    assert doc.value_span(("metadata", "x")) == Span(3, 28, 3, 29)


def test_binary_is_rcl003():
    lf = load(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert [(f.code, f.span) for f in lf.findings] == [("RCL003", Span(1, 1))]
    assert "binary" in lf.findings[0].message


def test_bytes_that_are_not_utf8_are_read_as_kubectl_reads_them():
    # go-yaml takes them; kubectl's JSON shows each as U+FFFD
    lf = load(b"apiVersion: v1\nkind: Pod # caf\xe9\nmetadata: {name: caf\xe9}\nspec: {runtimeClassName: kata}\n")
    assert lf.findings == []
    assert lf.documents[0].value["metadata"]["name"] == "caf\ufffd"


def test_oversized_file_is_rcl003():
    lf = load(POD, max_file_size=10)
    assert [f.code for f in lf.findings] == ["RCL003"]
    assert "over the 10-byte limit" in lf.findings[0].message


def test_syntax_error_is_rcl001_at_problem_mark():
    lf = load("apiVersion: v1\nkind: Pod\nspec:\n  runtimeClassName: [kata\n  x: y\n")
    assert [(f.code, f.span.line, f.span.column) for f in lf.findings] == [("RCL001", 5, 4)]


def test_syntax_error_in_non_kubernetes_yaml_is_ignored():
    lf = load("name: Node.js CI\non: [push\n")
    assert lf.findings == [] and lf.documents == []


def test_alias_bomb_is_rcl003():
    lines = ['apiVersion: v1\nkind: RuntimeClass\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lf = load("\n".join(lines) + "\n")
    assert [f.code for f in lf.findings] == ["RCL003"]
    assert "alias expansion exceeds" in lf.findings[0].message


def test_deep_nesting_is_rcl003_not_a_crash():
    lf = load("apiVersion: v1\nkind: RuntimeClass\nx: " + "[" * 200_000 + "]" * 200_000 + "\n")
    assert [f.code for f in lf.findings] == ["RCL003"]
    assert "nesting deeper than 1000 levels" in lf.findings[0].message


def test_recursive_alias_is_rcl003():
    lf = load("apiVersion: v1\nkind: RuntimeClass\nx: &x [*x]\n")
    assert [f.code for f in lf.findings] == ["RCL003"]


def test_helm_template_is_rcl005_and_skipped():
    text = "apiVersion: v1\nkind: Pod\nspec:\n  runtimeClassName: {{ .Values.rc }}\n"
    lf = load(text)
    assert [(f.code, f.span.line, f.span.column) for f in lf.findings] == [("RCL005", 4, 21)]
    assert lf.documents == []
    text = "{{- if .Values.enabled }}\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\n{{- end }}\n"
    lf = load(text)
    assert [(f.code, f.span.line, f.span.column) for f in lf.findings] == [("RCL005", 1, 1)]


def test_kyverno_braces_inside_strings_are_not_templates():
    text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    a: "{{ request.object }}"\nspec:\n  runtimeClassName: kata\n'
    lf = load(text)
    assert lf.findings == [] and len(lf.documents) == 1


def test_prefilter_skips_irrelevant_documents():
    text = "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\n" + POD
    lf = load(text)
    assert lf.chunks == 2 and lf.parsed == 1
    assert lf.looks_like_manifest


def test_documents_split_as_the_kubernetes_reader_does():
    # a directive is a document of its own there (and an error: kubectl rejects `%YAML`)
    chunks = split_documents("%YAML 1.1\n---\na: 1\n---# c\n# only a comment\n---\nb: 2\n")
    assert [(c.line, c.text) for c in chunks] == [(0, "%YAML 1.1\n"), (2, "a: 1\n"), (6, "b: 2\n")]
    lf = load("%YAML 1.1\n---\n" + POD)
    assert [(f.code, f.span.line) for f in lf.findings] == [("RCL001", 1)] and lf.documents == []


def test_go_yaml_scalar_typing():
    assert type_plain_scalar("yes") is True
    assert type_plain_scalar("Off") is False
    assert type_plain_scalar("~") is None
    assert type_plain_scalar("0x1F") == 31
    assert type_plain_scalar("0777") == 511
    assert type_plain_scalar("1.5e3") == 1500.0
    assert type_plain_scalar("1.2.3") == "1.2.3"
    assert type_plain_scalar("kata") == "kata"


def test_duplicate_keys_are_recorded_with_both_positions():
    (doc,) = parse_chunk(Chunk("a: 1\nb: 2\na: 3\n", 0, 0), "f")
    assert doc.value == {"a": 3, "b": 2}
    assert doc.duplicates == [(("a",), Span(3, 1, 3, 2), Span(1, 1, 1, 2))]


def test_merge_keys():
    (doc,) = parse_chunk(Chunk("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n", 0, 0), "f")
    assert doc.value["m"] == {"a": 1, "b": 3}
    # go-yaml (kubectl) lets a merge overwrite keys set before it
    (doc,) = parse_chunk(Chunk("base: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n", 0, 0), "f")
    assert doc.value["m"] == {"a": 1, "b": 2}


CRD = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\n"
       "spec:\n  description: sets runtimeClassName on every Node\n  names: {kind: X}\n  names: {kind: Y}\n")


@pytest.mark.parametrize("text, parsed", [
    (CRD, 0),  # a kind no rule reads: syntax only, so its duplicate `names` is not RCL004
    (CRD.replace("kind: CustomResourceDefinition", "kind: Pod"), 1),
    (CRD.replace("kind: CustomResourceDefinition", "kind: CustomResourceDefinitionList"), 1),
    (CRD + "items: []\n", 1),  # kubectl reads any document with items as a list
    (CRD.replace("kind: CustomResourceDefinition", "kind: !!str CustomResourceDefinition"), 1),  # not certain
    ("  " + CRD.replace("\n", "\n  "), 1),  # the mapping does not start at column 0
    (CRD.replace("kind: CustomResourceDefinition\n", "kind: CustomResourceDefinition\nkind: Node\n"), 1),
    (CRD.replace("names: {kind: Y}", "names: {kind: '{{ .Values.kind }}'}"), 1),  # a template
])
def test_documents_of_kinds_no_rule_reads_are_only_syntax_checked(text, parsed):
    lf = load(text)
    assert (lf.parsed, len(lf.documents)) == (parsed, parsed)
    assert not lf.findings


def test_a_skipped_kind_still_gets_its_syntax_checked():
    lf = load(CRD + "  bad: [unclosed\n")
    assert [(f.code, f.span.line) for f in lf.findings] == [("RCL001", 10)]


@pytest.mark.parametrize("text, kind", [
    ('apiVersion: node.k8s.io/v1\nkind: "Runtime\\u0043lass"\nmetadata: {name: e}\nhandler: e\n', "RuntimeClass"),
    ('apiVersion: v1\nkind: "\\x4eode"\nmetadata: {name: n}\n', "Node"),
    ('{"apiVersion": "v1", "kind": "\\u004eode", "metadata": {"name": "n"}}\n', "Node"),
    ('apiVersion: v1\nkind: ConfigMap\ndata: {pattern: "^[a-z]\\\\.x$"}\n', None),  # no \\x, \\u or \\U: skipped
])
def test_kinds_spelled_with_escapes_are_read_as_kubectl_reads_them(text, kind):
    """kubectl decodes escapes before it reads a kind (tests/kubectl_cases/slash-escape-kind.yaml):
    a document that names nothing a rule reads except through an escape is parsed too."""
    lf = load(text)
    assert [d.value["kind"] for d in lf.documents] == ([kind] if kind else [])
    assert not lf.findings
