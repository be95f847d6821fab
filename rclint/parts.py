"""Splitting a one-paragraph finding text into its parts: message, help and notes.

Checks that build their parts themselves pass them to Finding directly. The runtime-config
checks (containerd, CRI-O) write one sentence of the form

    <what is wrong>: <why> (<exact error>); <fix>. <versions>

and this module cuts it at its joints: the clause before the first ": " or "; " is the
message, a clause that starts with an imperative ("set", "add", "use", "rename", "move",
"remove", "copy", ...) or "did you mean" is the help, everything else becomes notes, in
order. A text that is already short and has no fix clause stays whole.
"""

from __future__ import annotations

import re
from typing import List, Tuple

_FIX = re.compile(
    r"^(?:e\.g\. )?(?:set|add|use|rename|move|remove|copy|drop|select|quote|raise|render|define|label|"
    r"make|give|keep|switch|put|list|change|replace)\b|^did you mean\b", re.I)
# clause boundaries: "; " and sentence ends (". " followed by a capital or a backtick)
_CLAUSES = re.compile(r";\s+|\.\s+(?=[A-Za-z`(])")


def _clauses(text: str) -> List[str]:
    """Split at "; " and ". " that are not inside quotes, backticks or brackets."""
    out, depth, quote, start = [], 0, None, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            m = _CLAUSES.match(text, i)
            if m and (ch == ";" or (ch == "." and not text[max(0, i - 3):i].endswith(("e.g", "i.e")))):
                out.append(text[start:i])
                start = m.end()
                i = m.end()
                continue
        i += 1
    out.append(text[start:])
    return [c.strip().rstrip(".") for c in out if c.strip().rstrip(".")]


def split(text: str, limit: int = 100) -> Tuple[str, str, Tuple[str, ...]]:
    """(message, help, notes) from one paragraph."""
    clauses = _clauses(text)
    if not clauses:
        return text, "", ()
    head, rest = clauses[0], clauses[1:]
    notes: List[str] = []
    help_text = ""
    if len(head) > limit:
        # "<what>: <why>" -> the what, and the why as the first note
        i = _colon(head)
        if i > 0:
            head, why = head[:i], head[i + 2:]
            notes.append(why)
    if len(head) > limit:
        paren = head.find(" (")
        if paren > 20 and head.endswith(")"):
            notes.insert(0, head[paren + 2:-1])
            head = head[:paren]
    for c in rest:
        if not help_text and _FIX.match(c):
            help_text = c[0].lower() + c[1:]
        else:
            notes.append(c)
    return head, help_text, tuple(notes)


def _colon(text: str, skip: int = 30) -> int:
    """The first ": " outside quotes and brackets at or after `skip` (a colon right after the
    object's name, as in "runtime 'kata': ...", is not where the point ends), or -1."""
    depth, quote = 0, None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "`\"'" and (ch != "'" or (i and not text[i - 1].isalpha())):
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0 and i >= skip and text.startswith(": ", i):
            return i
    return -1
