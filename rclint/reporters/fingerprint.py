"""Stable identities for findings, shared by the SARIF and GitLab reporters and the baseline.

A fingerprint must survive edits that do not touch the problem: lines moving up or down,
unrelated keys added, the document reordered in its file. So it is built from what the
finding is about, never from where it is:

    rule code, file path, object apiVersion/kind/namespace/name, finding.field

`finding.field` is the stable description of the offending node (a dotted path such as
`spec.template.spec.runtimeClassName`, or a TOML key path). When a check leaves it empty,
the message with its digits removed stands in for it (digits are usually line numbers,
counts or sizes that change with unrelated edits).

Changing the recipe changes every fingerprint: bump the version in the SARIF key
(`rclintFingerprint/v1`) and in VERSION together.
"""

from __future__ import annotations

import re

from rclint.digest import sha256  # hashlib's SHA-256 without loading OpenSSL (start-up)

VERSION = "v1"
SEPARATOR = "\x00"  # cannot occur in a path or a Kubernetes name
_DIGITS = re.compile(r"\d+")
# a Windows separator, but not the `\xNN` that shows a byte of a file name that is not UTF-8
_BACKSLASH = re.compile(r"\\(?!x[0-9a-f]{2})")


def normalise_path(path: str) -> str:
    """A repository-relative POSIX path as reporters print it: `\\` -> `/` (except in the `\\xNN`
    escapes of bytes that are not UTF-8), no leading `./`."""
    text = _BACKSLASH.sub("/", str(path))
    while text.startswith("./"):
        text = text[2:]
    return text


def identity(finding) -> list:
    """The parts a fingerprint is computed from, in order (exposed for tests and debugging)."""
    obj = finding.object
    if obj is not None:
        obj_parts = [obj.api_version or "", obj.kind or "", obj.namespace or "", obj.name or ""]
    else:
        obj_parts = ["", "", "", ""]
    what = finding.field or _DIGITS.sub("", finding.message)
    return [finding.code, normalise_path(finding.path), *obj_parts, what]


def fingerprint(finding) -> str:
    """Hex SHA-256 of the finding's identity; the same for the same problem across runs."""
    data = SEPARATOR.join(identity(finding)).encode("utf-8", "surrogatepass")
    return sha256(data).hexdigest()
