"""Reporters: pure functions (Result, catalogue) -> str. One module per format."""

from __future__ import annotations

import importlib
from typing import Callable

FORMATS = ("text", "full", "concise", "json", "sarif", "github", "junit", "gitlab")
_MODULES = {"text": "text", "full": "text", "concise": "text", "json": "jsonfmt", "sarif": "sarif", "github": "github", "junit": "junit",
            "gitlab": "gitlab"}
# formats whose whole output is a machine-readable document (chatter goes to stderr)
MACHINE = ("json", "sarif", "junit", "gitlab")


def get_reporter(name: str) -> Callable:
    return importlib.import_module(f"rclint.reporters.{_MODULES[name]}").render


def get_chunked_reporter(name: str):
    """The format's reporter that gives its output in pieces (written as they come, so a big
    report is never one string), or None when it has none."""
    return getattr(importlib.import_module(f"rclint.reporters.{_MODULES[name]}"), "chunks", None)
