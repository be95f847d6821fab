"""Baselines: record today's findings, then report only new ones.

Entries are keyed on rule + path + object identity + field (the same fingerprint SARIF and
GitLab reports carry), never on line numbers, so unrelated edits do not invalidate them.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import List, Tuple

from rclint.model import Finding
from rclint.settings import ConfigError

VERSION = 1


def _fingerprint(f: Finding) -> str:
    from rclint.reporters.fingerprint import fingerprint

    return fingerprint(f)


def render(findings: List[Finding]) -> str:
    entries = []
    for f in findings:
        obj = f.object
        entries.append({
            "fingerprint": _fingerprint(f),
            "code": f.code,
            "path": f.path,
            "object": f"{obj.kind}/{obj.namespace + '/' if obj.namespace else ''}{obj.name}" if obj else None,
            "field": f.field,
            "message": f.message,
        })
    entries.sort(key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    return json.dumps({"version": VERSION, "tool": "rclint", "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"--baseline {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"--baseline {path}: not a baseline file ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise ConfigError(f"--baseline {path}: not an rclint baseline (expected version {VERSION})")
    return Counter((e.get("code"), e.get("fingerprint")) for e in data["findings"] if isinstance(e, dict))


def apply(findings: List[Finding], baseline: Counter, enabled) -> Tuple[List[Finding], int, int]:
    """-> (new findings, how many matched the baseline, entries of enabled rules that matched nothing)."""
    remaining = Counter(baseline)
    kept, matched = [], 0
    for f in findings:
        key = (f.code, _fingerprint(f))
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            matched += 1
        else:
            kept.append(f)
    stale = sum(n for (code, _fp), n in remaining.items() if n > 0 and code in enabled)
    return kept, matched, stale
