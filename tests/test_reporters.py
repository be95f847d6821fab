"""The machine-readable reporters (SARIF, GitHub annotations, JUnit, GitLab Code Quality).

Each is golden-tested on one hand-built Result that holds the awkward cases: findings of all
three severities, related locations, an object and no object, a multi-line span, a span with
no end, a finding from standard input, a message with `%`, `,`, `:` and a newline, and a path
with a space, a comma and a colon. The goldens use a fixed test catalogue (not the shipped
rules, which change) and the rclint version replaced by "0.0.0-test".

Regenerate the goldens after an intended change with RCLINT_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

import rclint
from rclint.catalog import Rule, load_catalog
from rclint.engine import Result
from rclint.model import Finding, ObjectRef, Related, Severity, Span, Stats
from rclint.reporters import fingerprint as fp
from rclint.reporters import github, gitlab, junit, sarif

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SCHEMA_PATH = REPO / "schemas" / "sarif-schema-2.1.0.json"
TEST_VERSION = "0.0.0-test"
UPDATE = os.environ.get("RCLINT_UPDATE_GOLDEN") == "1"

# ----------------------------------------------------------------------------- the scenario


def _rule(code, name, title, severity, rationale, remediation, references=()):
    return Rule(
        id=code, name=name, title=title, severity=severity, status="stable", applies_to=("Pod",),
        rationale=rationale, remediation=remediation, references=tuple(references), examples=(),
    )


def fixed_catalog() -> dict:
    """A fixed catalogue, so that the goldens do not change when the shipped rules do."""
    rules = [
        _rule("RCL002", "toml-syntax", "A containerd or CRI-O runtime configuration is not valid TOML",
              Severity.ERROR,
              "containerd refuses to start when its config.toml does not parse:\n\n"
              "    failed to load TOML: toml: line 3: expected '='\n\nNo pod on the node starts.",
              "Fix the TOML syntax at the reported position.",
              ["https://toml.io/en/v1.0.0"]),
        _rule("RCL101", "unknown-runtime-class",
              "A Pod or workload template names a RuntimeClass that is defined nowhere", Severity.ERROR,
              "`spec.runtimeClassName` must name an existing RuntimeClass [sic]; the admission plugin "
              "rejects the pod otherwise.\n\nSecond paragraph, not in fullDescription.",
              "Use the name of a RuntimeClass defined in your manifests, or list it under "
              "`known-runtime-classes`.",
              ["https://kubernetes.io/docs/concepts/containers/runtime-class/"]),
        _rule("RCL204", "invalid-node-selector",
              "A RuntimeClass scheduling.nodeSelector key or value breaks Kubernetes label syntax",
              Severity.ERROR, "The API server rejects the RuntimeClass.", "Fix the label."),
        _rule("RCL205", "invalid-toleration", "A RuntimeClass scheduling.tolerations entry breaks toleration validation",
              Severity.ERROR, "The API server rejects the RuntimeClass.", "Fix the toleration."),
        _rule("RCL206", "removed-api-version",
              "A RuntimeClass uses node.k8s.io/v1beta1 or node.k8s.io/v1alpha1 instead of node.k8s.io/v1",
              Severity.ERROR, "node.k8s.io/v1beta1 is not served since Kubernetes 1.25.",
              "Change apiVersion to node.k8s.io/v1."),
    ]
    return {r.id: r for r in rules}


MESSY_MESSAGE = 'Pod p: runtimeClassName "runc" is a handler, 100% sure: use the RuntimeClass name\nnot the handler'
ODD_PATH = "deploy/odd dir/a,b:c.yaml"


def scenario() -> Result:
    """Findings as the engine hands them over: sorted, severities set."""
    web = ObjectRef("apps/v1", "Deployment", "shop", "web")
    gvisor = ObjectRef("node.k8s.io/v1beta1", "RuntimeClass", None, "gvisor")
    kata = ObjectRef("node.k8s.io/v1", "RuntimeClass", None, "kata")
    findings = [
        Finding("RCL101", 'Deployment shop/web: runtimeClassName "kata-qemu" names no RuntimeClass in the inputs; '
                'did you mean "kata"?', "deploy/app.yaml", Span(12, 29, 12, 38), web,
                (Related("deploy/runtimeclasses.yaml", Span(4, 9, 4, 13), 'RuntimeClass "kata" [v1] defined here'),),
                "spec.template.spec.runtimeClassName", Severity.ERROR, help="runtimeClassName: kata",
                notes=('every pod this Deployment creates is rejected: RuntimeClass "kata-qemu" not found',
                       "[see](javascript:alert(1)) <b>x</b> | y")),
        Finding("RCL101", MESSY_MESSAGE, "deploy/app.yaml", Span(30, 21, 30, 25), ObjectRef("v1", "Pod", "shop", "p"),
                (Related("deploy/runtimeclasses.yaml", Span(4, 9, 4, 13), 'RuntimeClass "kata" defined here'),
                 Related("nodes/containerd.toml", Span(8, 1), "handler configured here")),
                "spec.runtimeClassName", Severity.ERROR),
        Finding("RCL205", 'RuntimeClass "kata": toleration 0 has tolerationSeconds without effect NoExecute',
                ODD_PATH, Span(9, 7), kata, (), "scheduling.tolerations[0].tolerationSeconds", Severity.INFO),
        Finding("RCL204", 'RuntimeClass "kata": nodeSelector value "a b" is not a valid label value',
                ODD_PATH, Span(14, 24, 16, 3), kata, (), "scheduling.nodeSelector.pool", Severity.WARNING),
        Finding("RCL002", "cannot parse TOML: expected '=' after a key in a key/value pair (line 3, column 7)",
                "nodes/containerd.toml", Span(3, 7), None, (), "", Severity.ERROR),
        Finding("RCL206", 'RuntimeClass "gvisor" uses node.k8s.io/v1beta1, which is not served since '
                "Kubernetes 1.25; change apiVersion to node.k8s.io/v1", "<stdin>", Span(1, 13, 1, 32), gvisor, (),
                "apiVersion", Severity.ERROR),
    ]
    findings.sort(key=Finding.sort_key)
    stats = Stats(files=5, documents=7, parsed_documents=7, manifests=4, runtime_configs=1)
    return Result(findings, stats, set(fixed_catalog()))


def clean() -> Result:
    return Result([], Stats(files=3, documents=3, parsed_documents=3, manifests=3), set(fixed_catalog()))


# ----------------------------------------------------------------------------- helpers


def normalise(text: str) -> str:
    return text.replace(rclint.__version__, TEST_VERSION)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = normalise(text)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"golden file {path} is missing (generate it with RCLINT_UPDATE_GOLDEN=1)"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from its golden file (RCLINT_UPDATE_GOLDEN=1 rewrites it)"


_VALIDATOR = None


def sarif_validator() -> jsonschema.Draft4Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        assert jsonschema.validators.validator_for(schema) is jsonschema.Draft4Validator
        jsonschema.Draft4Validator.check_schema(schema)
        _VALIDATOR = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return _VALIDATOR


def validate_sarif(text: str) -> dict:
    doc = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "SARIF does not match the schema:\n" + "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )
    return doc


def moved(result: Result, lines: int) -> Result:
    """The same findings after `lines` lines were inserted above each of them."""
    out = []
    for f in result.findings:
        s = f.span
        span = Span(s.line + lines, s.column, None if s.end_line is None else s.end_line + lines, s.end_column)
        out.append(replace(f, span=span))
    return Result(out, result.stats, result.enabled)


RENDERERS = {
    "report.sarif": lambda r, c: sarif.render(r, c),
    "report.github.txt": lambda r, c: github.render(r, c),
    "report.junit.xml": lambda r, c: junit.render(r, c),
    "report.gitlab.json": lambda r, c: gitlab.render(r, c),
}


# ----------------------------------------------------------------------------- all formats


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_golden(name):
    text = RENDERERS[name](scenario(), fixed_catalog())
    if name.endswith(".sarif"):
        validate_sarif(text)
    check_golden(name, text)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_deterministic_and_independent_of_the_working_directory(name, tmp_path, monkeypatch):
    first = RENDERERS[name](scenario(), fixed_catalog())
    monkeypatch.chdir(tmp_path)
    assert RENDERERS[name](scenario(), fixed_catalog()) == first
    assert str(tmp_path) not in first and str(REPO) not in first


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_shipped_catalogue_renders(name):
    """The real rules (whatever they are today) render, and SARIF stays schema-valid."""
    text = RENDERERS[name](scenario(), load_catalog())
    if name.endswith(".sarif"):
        validate_sarif(text)
    assert text.endswith("\n")


# ----------------------------------------------------------------------------- fingerprint


def test_fingerprint_ignores_lines_and_columns():
    a = scenario().findings
    b = moved(scenario(), 7).findings
    for fa, fb in zip(a, b):
        assert fa.span != fb.span
        assert fp.fingerprint(fa) == fp.fingerprint(fb)
    f = a[0]
    assert fp.fingerprint(f) == fp.fingerprint(replace(f, span=Span(99, 1), message="reworded"))


def test_fingerprint_is_sha256_of_rule_path_object_and_field():
    f = scenario().findings[1]  # RCL101 on Deployment shop/web
    assert f.object.kind == "Deployment"
    assert fp.identity(f) == ["RCL101", "deploy/app.yaml", "apps/v1", "Deployment", "shop", "web",
                              "spec.template.spec.runtimeClassName"]
    value = fp.fingerprint(f)
    assert len(value) == 64 and int(value, 16) >= 0
    others = [
        replace(f, code="RCL102"),
        replace(f, path="deploy/other.yaml"),
        replace(f, object=replace(f.object, namespace="prod")),
        replace(f, object=replace(f.object, name="api")),
        replace(f, object=replace(f.object, kind="StatefulSet")),
        replace(f, object=replace(f.object, api_version="apps/v1beta2")),
        replace(f, field="spec.template.spec.overhead"),
        replace(f, object=None),
    ]
    assert len({value} | {fp.fingerprint(o) for o in others}) == len(others) + 1


def test_fingerprint_falls_back_to_the_message_without_digits():
    f = Finding("RCL002", "cannot parse TOML at line 3, column 7", "nodes/c.toml", Span(3, 7), severity=Severity.ERROR)
    g = replace(f, message="cannot parse TOML at line 41, column 2", span=Span(41, 2))
    h = replace(f, message="cannot parse TOML: duplicate key")
    assert fp.fingerprint(f) == fp.fingerprint(g)
    assert fp.fingerprint(f) != fp.fingerprint(h)


def test_fingerprint_normalises_the_path():
    f = scenario().findings[1]
    assert fp.fingerprint(replace(f, path="./deploy/app.yaml")) == fp.fingerprint(f)
    assert fp.fingerprint(replace(f, path="deploy\\app.yaml")) == fp.fingerprint(f)


# ----------------------------------------------------------------------------- SARIF


def sarif_doc(result=None, catalog=None, **options) -> dict:
    return validate_sarif(sarif.render(result or scenario(), catalog or fixed_catalog(), **options))


def results_by_rule(doc, code):
    return [r for r in doc["runs"][0]["results"] if r["ruleId"] == code]


def test_sarif_clean_run_still_has_results_and_rules():
    doc = sarif_doc(clean())
    run = doc["runs"][0]
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(fixed_catalog())
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json") and doc["version"] == "2.1.0"


def test_sarif_tool_and_run_properties():
    run = sarif_doc(automation_id="rclint/manifests/")["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "rclint"
    assert driver["version"] == driver["semanticVersion"] == rclint.__version__
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"] == {"id": "rclint/manifests/"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no local path leaks
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert "automationDetails" not in sarif_doc()["runs"][0]


def test_sarif_rules_from_the_catalogue():
    rules = {r["id"]: r for r in sarif_doc()["runs"][0]["tool"]["driver"]["rules"]}
    r = rules["RCL101"]
    assert r["name"] == "unknown-runtime-class"
    assert r["shortDescription"]["text"] == "A Pod or workload template names a RuntimeClass that is defined nowhere."
    assert r["fullDescription"]["text"].startswith("`spec.runtimeClassName` must name an existing RuntimeClass")
    assert "Second paragraph" not in r["fullDescription"]["text"]
    assert "Second paragraph" in r["help"]["text"] and "Second paragraph" in r["help"]["markdown"]
    assert "known-runtime-classes" in r["help"]["markdown"]
    assert r["helpUri"] in r["help"]["markdown"]  # GitHub does not show helpUri
    assert r["defaultConfiguration"] == {"level": "error"}
    assert r["properties"]["tags"] == ["kubernetes", "runtimeclass", "references"]
    assert r["properties"]["problem.severity"] == "error"
    assert "security-severity" not in r["properties"]
    # A rationale whose first paragraph introduces an example ends in a full stop, not ':.'.
    assert rules["RCL002"]["fullDescription"]["text"] == "containerd refuses to start when its config.toml does not parse."


def test_sarif_descriptions_fit_githubs_limits_for_the_shipped_rules():
    for r in sarif_doc(catalog=load_catalog())["runs"][0]["tool"]["driver"]["rules"]:
        for key in ("shortDescription", "fullDescription"):
            assert 0 < len(r[key]["text"]) <= 1024, (r["id"], key)
        assert r["help"]["text"] and r["help"]["markdown"]
        assert len(r["name"]) <= 255


def test_sarif_result_levels_indexes_and_fingerprints():
    doc = sarif_doc()
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {}
    for res, f in zip(run["results"], scenario().findings):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f.code
        assert res["partialFingerprints"] == {"rclintFingerprint/v1": fp.fingerprint(f)}
        levels[f.severity] = res["level"]
    assert levels == {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def test_sarif_links_related_locations_in_the_message():
    doc = sarif_doc()
    first, second = results_by_rule(doc, "RCL101")
    head, fix, note1, note2 = first["message"]["text"].split("\n")
    assert head.endswith(r'(see [RuntimeClass "kata" \[v1\] defined here](1)).')
    # help and notes follow the message, each on its own line; a note cannot make a link
    assert fix == "Fix: runtimeClassName: kata"
    assert note1 == 'Note: every pod this Deployment creates is rejected: RuntimeClass "kata-qemu" not found.'
    assert note2 == r"Note: \[see\](javascript:alert(1)) <b>x</b> | y."
    assert second["message"]["text"] == (
        MESSY_MESSAGE + ' (see [RuntimeClass "kata" defined here](1), [handler configured here](2)).'
    )
    related = second["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[1]["physicalLocation"] == {
        "artifactLocation": {"uri": "nodes/containerd.toml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 1},
    }
    assert related[0]["message"]["text"] == 'RuntimeClass "kata" defined here.'
    # A finding without related locations has no link and no relatedLocations.
    (plain,) = results_by_rule(doc, "RCL206")
    assert "relatedLocations" not in plain and "](" not in plain["message"]["text"]


def test_sarif_locations_uris_and_regions():
    doc = sarif_doc()
    loc = {}
    for r in doc["runs"][0]["results"]:
        loc.setdefault(r["ruleId"], r["locations"][0])  # the first result of each rule
    stdin = loc["RCL206"]["physicalLocation"]
    assert stdin["artifactLocation"] == {"uri": "%3Cstdin%3E", "uriBaseId": "%SRCROOT%"}
    assert stdin["region"] == {"startLine": 1, "startColumn": 13, "endLine": 1, "endColumn": 32}
    odd = loc["RCL204"]["physicalLocation"]
    assert odd["artifactLocation"]["uri"] == "deploy/odd%20dir/a,b%3Ac.yaml"
    assert odd["region"] == {"startLine": 14, "startColumn": 24, "endLine": 16, "endColumn": 3}
    assert loc["RCL205"]["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 7}  # end unknown
    from urllib.parse import unquote, urlsplit

    for r in doc["runs"][0]["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert urlsplit(uri).scheme == "" and not uri.startswith(("/", "./"))
    assert unquote(odd["artifactLocation"]["uri"]) == ODD_PATH
    # The Kubernetes object as a logical location; none for a finding about no object.
    assert loc["RCL101"]["logicalLocations"] == [
        {"name": "Deployment/shop/web", "fullyQualifiedName": "apps/v1/Deployment/shop/web", "kind": "object"}
    ]
    assert loc["RCL206"]["logicalLocations"][0]["name"] == "RuntimeClass/gvisor"
    assert "logicalLocations" not in loc["RCL002"]


def test_sarif_region_keeps_only_consistent_values():
    assert sarif.region(Span(3, 5, 3, 2)) == {"startLine": 3, "startColumn": 5, "endLine": 3}
    assert sarif.region(Span(3, 5, 2, 9)) == {"startLine": 3, "startColumn": 5}
    assert sarif.region(Span(3, 5, None, 9)) == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}
    assert sarif.region(Span(3, 0)) == {"startLine": 3}
    assert sarif.region(Span(0, 0)) == {"startLine": 1}  # GitHub needs a region


def test_sarif_plain_text_brackets_that_would_read_as_a_link_are_escaped():
    f = replace(scenario().findings[0], message="see [this](http://x) and [0]")
    assert sarif.result_message(f) == r"see \[this\](http://x) and \[0\]."
    assert sarif.result_message(replace(f, message="spec.containers[0] is wrong")) == "spec.containers[0] is wrong."


def test_sarif_finding_with_a_code_the_catalogue_does_not_know():
    f = Finding("RCL999", "something new", "x.yaml", Span(1, 1), severity=Severity.WARNING)
    doc = sarif_doc(Result([f], Stats(files=1), set()))
    run = doc["runs"][0]
    (res,) = run["results"]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "RCL999"


def test_sarif_notes_become_tool_notifications():
    r = scenario()
    r.stats.notes.append("2 files skipped (over the size limit)")
    inv = sarif_doc(r)["runs"][0]["invocations"][0]
    assert inv["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": "2 files skipped (over the size limit)."}}
    ]


# ----------------------------------------------------------------------------- GitHub


def test_github_escaping_rules():
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_data("%0A") == "%250A"  # % first, so an existing escape is not decoded
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert github.escape_data("a,b:c") == "a,b:c"  # the message keeps , and :


def test_github_annotations_escape_paths_titles_and_messages():
    lines = github.render(scenario(), fixed_catalog()).splitlines()
    odd = [line for line in lines if "RCL204" in line][0]
    assert odd.startswith("::warning file=deploy/odd dir/a%2Cb%3Ac.yaml,line=14,endLine=16,")
    messy = [line for line in lines if "100%25" in line][0]
    props, message = messy[len("::error "):].split("::", 1)
    assert props == "file=deploy/app.yaml,line=30,col=21,endLine=30,endColumn=25,title=RCL101 unknown-runtime-class"
    assert message == ("deploy/app.yaml:30:21: RCL101 Pod p: runtimeClassName \"runc\" is a handler, 100%25 sure: "
                       "use the RuntimeClass name\\nnot the handler"  # a newline in input text is shown, never sent
                       "%0A  deploy/runtimeclasses.yaml:4:9: RuntimeClass \"kata\" defined here"
                       "%0A  nodes/containerd.toml:8:1: handler configured here")
    for line in lines:
        assert "\r" not in line


def test_github_multi_line_span_has_no_columns():
    line = github.annotation(scenario().findings[4], fixed_catalog())
    assert "RCL204" in line
    props = line.split("::")[1]
    assert "col=" not in props and "endColumn=" not in props
    assert "line=14" in props and "endLine=16" in props
    assert "::deploy/odd dir/a,b:c.yaml:14:24: RCL204 " in line  # the column stays in the message


def test_github_no_dot_slash_prefix():
    f = replace(scenario().findings[1], path="./deploy/app.yaml", related=())
    line = github.annotation(f, fixed_catalog())
    assert "file=deploy/app.yaml," in line and "::deploy/app.yaml:12:29: RCL101 " in line
    assert "./" not in line


def test_github_stdin_has_no_file_property():
    line = github.annotation(scenario().findings[0], fixed_catalog())
    assert line.startswith("::error title=RCL206 removed-api-version::<stdin>:1:13: RCL206 ")


def test_github_most_severe_first_then_summary():
    lines = github.render(scenario(), fixed_catalog()).splitlines()
    kinds = [line[2:].split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert kinds == ["error", "error", "error", "error", "warning", "notice"]
    assert lines[-1] == "rclint: 4 errors, 1 warning, 1 info in 5 files"
    assert github.render(clean(), fixed_catalog()) == "rclint: no problems found in 3 files\n"


def test_github_says_when_annotations_do_not_fit():
    f = scenario().findings[1]
    many = [replace(f, span=Span(i, 1)) for i in range(1, 14)]
    many += [replace(f, span=Span(i, 1), severity=Severity.WARNING) for i in range(20, 22)]
    text = github.render(Result(many, Stats(files=1), set()), fixed_catalog())
    lines = text.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 13  # all emitted; GitHub drops the rest
    assert lines[-2] == "rclint: 13 errors, 2 warnings in 1 file"
    assert lines[-1].startswith("rclint: GitHub shows at most 10 annotations of each type per step; "
                                "not shown as annotations: 3 errors")


def test_github_notes_cannot_inject_commands():
    r = clean()
    r.stats.notes.append("odd\n::error::injected")
    lines = github.render(r, fixed_catalog()).splitlines()
    assert lines[-1] == "rclint: note: odd ::error::injected"
    assert not any(line.startswith("::") for line in lines)


def test_step_summary_lists_every_finding_in_a_table():
    md = github.step_summary_markdown(scenario(), fixed_catalog())
    lines = md.splitlines()
    assert lines[0] == "### rclint: 4 errors, 1 warning, 1 info in 5 files"
    assert lines[2] == "| severity | code | location | message |"
    rows = [line for line in lines[4:] if line.startswith("| ")]
    assert len(rows) == len(scenario().findings)
    assert rows[0] == ('| error | RCL206 removed-api-version | &lt;stdin&gt;:1:13 | RuntimeClass "gvisor" uses '
                       "node.k8s.io/v1beta1, which is not served since Kubernetes 1.25; change apiVersion to "
                       "node.k8s.io/v1 |")
    messy = [row for row in rows if "100%" in row][0]
    assert r"name\\nnot the handler<br>deploy/runtimeclasses.yaml:4:9: " in messy
    assert r'RuntimeClass "kata" \[v1\] defined here' in md
    for row in rows:  # every row has exactly four cells: no stray | and no line break
        assert row.count(" | ") == 3 and "\n" not in row


def test_step_summary_escapes_pipes_and_html():
    f = replace(scenario().findings[1], message="a | b <script>x</script>\r\nc", related=())
    md = github.step_summary_markdown(Result([f], Stats(files=1), set()), fixed_catalog())
    row = md.splitlines()[-1]
    assert row.endswith(r"| a \| b &lt;script&gt;x&lt;/script&gt;\\r\\nc |")


def test_step_summary_clean_and_size_limit():
    assert github.step_summary_markdown(clean(), fixed_catalog()) == "### rclint: no problems found in 3 files\n"
    f = scenario().findings[1]
    many = [replace(f, span=Span(i, 1), message="x" * 500) for i in range(1, 101)]
    md = github.step_summary_markdown(Result(many, Stats(files=1), set()), fixed_catalog(), limit=20_000)
    assert len(md.encode("utf-8")) <= 20_000
    assert md.rstrip().endswith("see the job log.")
    shown = sum(1 for line in md.splitlines() if line.startswith("| error "))
    assert f"{100 - shown} more findings not shown" in md


# ----------------------------------------------------------------------------- JUnit


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_structure_and_counts():
    root = parse_junit(junit.render(scenario(), fixed_catalog()))
    assert root.tag == "testsuites"
    errors = sum(1 for f in scenario().findings if f.severity == Severity.ERROR)
    assert errors == 4
    # only findings at or above --fail-on (default error) are failures; the rest pass with their text
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", str(errors), "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["<stdin>", "deploy/app.yaml", ODD_PATH, "nodes/containerd.toml"]
    for s in suites:
        cases = s.findall("testcase")
        assert s.get("tests") == str(len(cases))
        assert s.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
        for case in cases:
            assert case.get("time") == "0"
            assert (case.find("failure") is None) != (case.find("system-out") is None)
    everything = parse_junit(junit.render(scenario(), fixed_catalog(), fail_on=Severity.INFO))
    assert everything.get("failures") == "6"
    assert len(list(everything.iter("failure"))) == 6
    app = suites[1].findall("testcase")
    assert [c.get("name") for c in app] == ["RCL101 unknown-runtime-class at 12:29", "RCL101 unknown-runtime-class at 30:21"]
    assert app[0].get("classname") == "deploy/app" and app[0].get("file") == "deploy/app.yaml"
    failure = app[1].find("failure")
    assert failure.get("type") == "RCL101"
    assert failure.get("message") == MESSY_MESSAGE.replace("\n", "\\n")  # a newline in a message is shown as \n
    assert failure.text.startswith("deploy/app.yaml:30:21: RCL101 [error] " + MESSY_MESSAGE.replace("\n", "\\n"))
    assert "related: nodes/containerd.toml:8:1: handler configured here" in failure.text
    assert "help: https://" in failure.text


def test_junit_clean_run_has_a_passing_placeholder():
    root = parse_junit(junit.render(clean(), fixed_catalog()))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    (case,) = root.iter("testcase")
    assert case.get("name") == "no problems found in 3 files" and list(case) == []


def test_junit_escapes_markup_and_control_characters():
    f = replace(scenario().findings[1], message='bad <tag> & "quote" \x1b[31mred\x00 \ud800 ]]> end',
                path="a&b<c>.yaml", related=())
    text = junit.render(Result([f], Stats(files=1), set()), fixed_catalog())
    root = parse_junit(text)
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == 'bad <tag> & "quote" \\x1b[31mred\\x00 \\ud800 ]]> end'
    assert root.find("testsuite").get("name") == "a&b<c>.yaml"
    assert "\x1b" not in text and "\x00" not in text


def test_junit_has_no_timestamps_or_hostnames():
    text = junit.render(scenario(), fixed_catalog())
    assert "timestamp" not in text and "hostname" not in text


# ----------------------------------------------------------------------------- GitLab


def test_gitlab_code_quality_issues():
    issues = json.loads(gitlab.render(scenario(), fixed_catalog()))
    assert isinstance(issues, list) and len(issues) == len(scenario().findings)
    by_code = {i["check_name"]: i for i in issues}
    assert {i["severity"] for i in issues} == {"critical", "minor", "info"}
    assert by_code["RCL204"]["severity"] == "minor" and by_code["RCL205"]["severity"] == "info"
    assert by_code["RCL204"]["location"] == {"path": ODD_PATH, "lines": {"begin": 14, "end": 16}}
    assert by_code["RCL205"]["location"]["lines"] == {"begin": 9, "end": 9}
    assert by_code["RCL206"]["description"].startswith('RCL206 RuntimeClass "gvisor" uses')
    for issue, f in zip(issues, scenario().findings):
        assert issue["fingerprint"] == fp.fingerprint(f)
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}


def test_gitlab_fingerprints_survive_line_changes():
    before = json.loads(gitlab.render(scenario(), fixed_catalog()))
    after = json.loads(gitlab.render(moved(scenario(), 12), fixed_catalog()))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 12 for i in before] == [i["location"]["lines"]["begin"] for i in after]


def test_gitlab_fingerprints_are_unique_within_a_report():
    f = scenario().findings[1]
    twins = [f, replace(f, span=Span(40, 3)), replace(f, span=Span(50, 3))]
    issues = json.loads(gitlab.render(Result(twins, Stats(files=1), set()), fixed_catalog()))
    fps = [i["fingerprint"] for i in issues]
    assert len(set(fps)) == 3 and fps[0] == fp.fingerprint(f)
    again = json.loads(gitlab.render(Result(twins, Stats(files=1), set()), fixed_catalog()))
    assert [i["fingerprint"] for i in again] == fps


def test_gitlab_clean_run_is_an_empty_array():
    assert gitlab.render(clean(), fixed_catalog()) == "[]\n"


def test_sarif_security_rules_carry_security_severity():
    doc = sarif.to_sarif(clean(), load_catalog())
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    for code, score in (("RCL401", "7.5"), ("RCL402", "8.0"), ("RCL404", "4.0")):
        props = rules[code]["properties"]
        assert "security" in props["tags"] and props["security-severity"] == score
    others = [r for code, r in rules.items() if code not in ("RCL401", "RCL402", "RCL404")]
    assert others and all("security-severity" not in r["properties"] for r in others)
    assert all("security" not in r["properties"]["tags"] for r in others)


def test_sarif_uris_are_relative_to_the_repository_root():
    """Run from a subdirectory, paths are relative to it; the report names them from the root."""
    doc = validate_sarif(sarif.render(scenario(), fixed_catalog(), srcroot="charts/app/"))
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in doc["runs"][0]["results"] for loc in res["locations"]}
    assert "charts/app/deploy/app.yaml" in uris
    assert "%3Cstdin%3E" in uris  # standard input is no file of the repository
    related = [r["physicalLocation"]["artifactLocation"]["uri"]
               for res in doc["runs"][0]["results"] for r in res.get("relatedLocations", [])]
    assert "charts/app/nodes/containerd.toml" in related
    up = sarif.artifact_uri("../shared/rc.yaml", "charts/app/")
    assert up == {"uri": "charts/shared/rc.yaml", "uriBaseId": "%SRCROOT%"}


def test_github_file_properties_are_relative_to_the_repository_root():
    """Run from a subdirectory, GitHub still resolves `file=` against the repository root."""
    lines = github.render(scenario(), fixed_catalog(), srcroot="charts/app/").splitlines()
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in lines if "file=" in line}
    assert "charts/app/deploy/app.yaml" in files
    assert not any("stdin" in f for f in files)  # standard input is no file of the repository
    shown = next(line for line in lines if "file=charts/app/deploy/app.yaml" in line)
    assert "::deploy/app.yaml:" in shown  # the message keeps the path as the user typed it
    stdin = next(f for f in scenario().findings if f.path == "<stdin>")
    assert "file=" not in github.annotation(stdin, fixed_catalog(), "charts/app/")


def test_gitlab_description_is_the_message_and_content_the_rest():
    issues = json.loads(gitlab.render(scenario(), fixed_catalog()))
    first = next(i for i in issues if i["location"]["lines"]["begin"] == 12)
    assert first["description"].startswith('RCL101 Deployment shop/web: runtimeClassName "kata-qemu"')
    body = first["content"]["body"]
    assert "**Fix:** runtimeClassName: kata" in body
    assert "**Note:** every pod this Deployment creates is rejected" in body
    assert "&lt;b&gt;" in body and "<b>" not in body  # input text cannot inject markup
    assert "**Related:** deploy/runtimeclasses.yaml:4:9:" in body
