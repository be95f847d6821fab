"""Loading one manifest file: bytes -> documents with positions, or input findings.

Only documents whose text can matter to a rule are parsed (see `INTERESTING`, a plain
substring search that can only err towards parsing too much), unless their kind is certain
from the text and no rule reads it (`_no_rule_reads`: a CRD whose descriptions mention
`runtimeClassName`). The others are only syntax-checked. Everything that
goes wrong with input becomes an RCL0xx finding for that file; nothing here raises.
"""

from __future__ import annotations

from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass, field
from typing import List, Optional

from rclint import perf
from rclint.kube.objects import projection_shape
from rclint.model import Finding, Span
from rclint.textio import DecodeError, decode
from rclint.jsonsource import is_json_stream, load_json_stream
from rclint.yamlsource import (
    YamlConvertError,
    YamlDoc,
    YamlLimitError,
    YamlSyntaxError,
    check_syntax,
    parse_chunk,
    split_kube,
)

# A document is parsed only if its text contains one of these (case-sensitive) strings.
# "untimeClass" covers both `kind: RuntimeClass` and `runtimeClassName`; "overhead" covers
# pods that set spec.overhead by hand; "Node" covers Node/NodeList objects; the kubelet's
# config is a KubeletConfiguration.
INTERESTING = ("untimeClass", "overhead", "Node", "KubeletConfiguration")  # also in load_manifest_text
# ... or spelled with escapes, which kubectl reads too (`kind: "Runtime\u0043lass"`): a document
# with a \x, \u or \U escape is parsed as well
_ESCAPE = re.compile(r"\\[xuU]")


def _escaped(text: str) -> bool:
    return "\\" in text and _ESCAPE.search(text) is not None


_TEMPLATE = re.compile(r"\{\{|\{%")


@dataclass
class LoadedFile:
    path: str
    documents: List[YamlDoc] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    suppressions: list = field(default_factory=list)  # rclint.suppress.Suppression from comments
    chunks: int = 0
    parsed: int = 0
    size: int = 0
    looks_like_manifest: bool = False


# Kinds whose objects a rule reads: RuntimeClasses, Nodes, KubeletConfigurations and every
# kind that holds a pod spec (rclint.kube.objects.POD_SPEC_PATHS). Lists are read whatever their
# kind (kubectl reads any document with `items` as one).
READ_KINDS = frozenset({"RuntimeClass", "Node", "KubeletConfiguration", "Pod", "PodTemplate", "ReplicationController",
                        "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
_KIND_LINE = re.compile(r"""^(["']?)kind\1[ \t]*:(.*)$""", re.M)
_KIND_VALUE = re.compile(r"""[ \t]*(["']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?""")
_LIST_OR_EXPLICIT_KEY = re.compile(r"""^(?:\?|(["']?)items\1[ \t]*:)""", re.M)
_TOP_AT_COLUMN_0 = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*\S")


def _no_rule_reads(text: str) -> bool:
    """True when a document's kind is certain from its text and no rule reads objects of that
    kind (a CRD or a policy whose descriptions mention `runtimeClassName`): its mapping starts
    at column 0, one column-0 line sets `kind` to a plain name, and it is no list. Anything less
    certain (flow style, JSON, an explicit key, a template) is read."""
    kinds = _KIND_LINE.findall(text)
    if len(kinds) != 1:
        return False
    m = _KIND_VALUE.fullmatch(kinds[0][1])
    if m is None or m.group(2) in READ_KINDS or m.group(2).endswith("List"):
        return False
    if "{{" in text or "{%" in text or _LIST_OR_EXPLICIT_KEY.search(text) is not None:
        return False
    return _TOP_AT_COLUMN_0.match(text) is not None


def _looks_like_manifest(text: str) -> bool:
    return "apiVersion" in text and "kind" in text


def _first_template_line(text: str, line_offset: int) -> Optional[Span]:
    """The first `{{`/`{%` outside a quoted string (else the first one at all), or None."""
    first = None
    for m in _TEMPLATE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        span = Span(text.count("\n", 0, m.start()) + line_offset + 1, m.start() - line_start + 1)
        if first is None:
            first = span
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return span
    return first


def _template_finding(path: str, span: Span) -> Finding:
    return Finding(
        "RCL005",
        "unrendered Helm/Go template ('{{' outside a string): file skipped",
        path,
        span,
        field="template",
        help="render it first: helm template . | rclint check -",
    )


def _skip_template(out: LoadedFile, span: Span) -> LoadedFile:
    """A template is skipped whole: one RCL005 for the file, nothing else from it."""
    out.documents.clear()
    out.findings = [f for f in out.findings if f.code != "RCL001"]
    out.findings.append(_template_finding(out.path, span))
    return out


def load_manifest_bytes(
    path: str, data: bytes, *, max_file_size: int, parse_all: bool = False
) -> LoadedFile:
    out = LoadedFile(path, size=len(data))
    if len(data) > max_file_size:
        out.findings.append(
            Finding(
                "RCL003",
                f"file is {len(data):,} bytes, over the {max_file_size:,}-byte limit",
                path,
                Span(1, 1),
                field="size",
                help="raise max-file-size in the configuration to lint it",
            )
        )
        out.looks_like_manifest = True
        return out
    try:
        text = decode(data, lenient_utf8=True)
    except DecodeError as exc:
        out.findings.append(Finding("RCL003", f"cannot read this file as text: {exc}", path, Span(1, 1), field="decode"))
        out.looks_like_manifest = True
        return out
    if is_json_stream(text):
        return load_json_text(out, text, parse_all=parse_all)
    return load_manifest_text(out, text, parse_all=parse_all)


_STOPS = "kubectl stops reading the file at this error: no document after it is applied"


def _rcl001(path: str, exc: YamlSyntaxError, index: int) -> Finding:
    if isinstance(exc, YamlConvertError):
        message = f"kubectl cannot convert this document to JSON: {exc.message}"
    else:
        message = f"YAML syntax error: {exc.message}"
    return Finding("RCL001", message, path, exc.span, field=f"doc[{index}]", help=exc.help,
                   notes=tuple(exc.notes) + (_STOPS,))


def load_json_text(out: LoadedFile, text: str, *, parse_all: bool = False) -> LoadedFile:
    """A JSON stream (the file starts with `{`): every value is a document; an error stops it."""
    from rclint.suppress import scan_comments

    out.suppressions = scan_comments(out.path, text)
    manifest_like = _looks_like_manifest(text)
    out.looks_like_manifest = manifest_like
    wanted = parse_all or any(s in text for s in INTERESTING) or _escaped(text)
    docs, count, error = load_json_stream(text, out.path, with_values=wanted)
    out.chunks = count + (1 if error is not None else 0)
    out.parsed = len(docs)
    out.documents.extend(docs)
    if error is not None:
        template = _first_template_line(text, 0)
        if template is not None and manifest_like:
            return _skip_template(out, template)
        if isinstance(error, YamlLimitError):
            out.findings.append(Finding("RCL003", f"document not loaded: {error.message}", out.path,
                                        Span(1, 1), field=f"doc[{count}]"))
        elif manifest_like:
            out.findings.append(Finding(
                "RCL001", f"JSON syntax error: {error.message}", out.path, error.span, field=f"doc[{count}]",
                notes=("kubectl reads a file whose first character is `{` as JSON (Go's encoding/json), not YAML",
                       _STOPS)))
    return out


def load_manifest_text(out: LoadedFile, text: str, *, parse_all: bool = False) -> LoadedFile:
    """A YAML stream, split and read document by document as kubectl does. A syntax error stops
    the stream there (kubectl applies nothing after it): one RCL001, and later documents are
    not linted."""
    from rclint.suppress import scan_comments

    path = out.path
    out.suppressions = scan_comments(path, text)
    chunks, separator_error = split_kube(text)
    file_manifest_like = None  # whether any of the file looks like a manifest, found out when needed
    index = 0
    out.chunks = len(chunks)
    for chunk in chunks:
        ctext = chunk.text
        manifest_like = "apiVersion" in ctext and "kind" in ctext  # _looks_like_manifest, inlined
        if manifest_like:
            out.looks_like_manifest = True
        if not parse_all and (not (
            "untimeClass" in ctext or "overhead" in ctext or "Node" in ctext or "KubeletConfiguration" in ctext
            or _escaped(ctext)
        ) or _no_rule_reads(ctext)):  # none of INTERESTING (spelled out: this runs for every document)
            # cannot matter to a rule: only check the syntax, at C speed, if it is a manifest
            if not manifest_like and file_manifest_like is None:
                file_manifest_like = _looks_like_manifest(text)
            if manifest_like or file_manifest_like:
                try:
                    check_syntax(chunk)
                except YamlSyntaxError as exc:
                    if _first_template_line(ctext, chunk.line) is None:
                        out.findings.append(_rcl001(path, exc, index))
                    elif manifest_like:
                        return _skip_template(out, _first_template_line(ctext, chunk.line))
                    return out
                except YamlLimitError:
                    pass
            index += 1
            continue
        out.parsed += 1
        try:
            # a pod spec keeps only the fields rules read
            docs = list(parse_chunk(chunk, path, index, shape_of=projection_shape if perf.FAST else None))
        except YamlLimitError as exc:
            out.findings.append(
                Finding("RCL003", f"document not loaded: {exc.message}", path, Span(1, 1), field=f"doc[{index}]")
            )
            index += 1
            continue
        except YamlSyntaxError as exc:
            template = _first_template_line(ctext, chunk.line)
            if template is not None:
                if manifest_like:
                    return _skip_template(out, template)
            elif manifest_like or _looks_like_manifest(text):
                out.findings.append(_rcl001(path, exc, index))
            return out
        for doc in docs:
            if doc.flow_template is not None and manifest_like:
                return _skip_template(out, doc.flow_template)
            out.documents.append(doc)
        index += 1
    if separator_error is not None:
        file_manifest_like = _looks_like_manifest(text)
        template = _first_template_line(text, 0)
        if template is not None and file_manifest_like:
            return _skip_template(out, template)
        if file_manifest_like:
            out.findings.append(_rcl001(path, separator_error, index))
    return out
