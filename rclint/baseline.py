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


def load(path: str, max_size: int = 64 * 1024 * 1024, policy=None) -> Counter:
    """The baseline's (code, fingerprint) entries. The file is read through the filesystem policy
    (a regular file, at most `max_size` bytes); anything that is not an rclint baseline is a
    ConfigError naming what is wrong, never a crash."""
    from rclint.fspolicy import DEFAULT_MAX_SIZE, FsPolicy
    from rclint.textio import visible

    shown = visible(path)
    policy = policy or FsPolicy()
    try:
        raw = policy.read_bytes(path, trusted=True, regular_only=True, max_size=max(max_size, DEFAULT_MAX_SIZE))
    except OSError as exc:
        raise ConfigError(f"--baseline {shown}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"--baseline {shown}: not a baseline file (not UTF-8 at byte {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"--baseline {shown}: not a baseline file (nested too deeply)") from None
    except ValueError as exc:
        raise ConfigError(f"--baseline {shown}: not a baseline file ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise ConfigError(f"--baseline {shown}: not an rclint baseline (expected version {VERSION})")
    out: Counter = Counter()
    for n, e in enumerate(data["findings"]):
        if not (isinstance(e, dict) and isinstance(e.get("code"), str) and isinstance(e.get("fingerprint"), str)):
            raise ConfigError(f"--baseline {shown}: entry {n} is malformed (each entry needs a string "
                              "'code' and 'fingerprint'; rewrite it with --write-baseline)")
        out[(e["code"], e["fingerprint"])] += 1
    return out


def subtract(findings: List[Finding], known: Counter) -> Tuple[List[Finding], int, Counter]:
    """Match findings against known identities `(code, fingerprint)`, counted as a multiset.

    -> (the findings not matched, how many matched, the known identities left over)."""
    remaining = Counter(known)
    kept, matched = [], 0
    for f in findings:
        key = (f.code, _fingerprint(f))
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            matched += 1
        else:
            kept.append(f)
    return kept, matched, remaining


def apply(findings: List[Finding], baseline: Counter, enabled) -> Tuple[List[Finding], int, int]:
    """-> (new findings, how many matched the baseline, entries of enabled rules that matched nothing)."""
    kept, matched, remaining = subtract(findings, baseline)
    stale = sum(n for (code, _fp), n in remaining.items() if n > 0 and code in enabled)
    return kept, matched, stale
