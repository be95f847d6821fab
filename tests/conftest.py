"""Shared fixtures: where the reference corpus lives, and a helper to run the engine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RCLINT_SHARED", REPO.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    """The reference material (../shared). A user's clone does not have it: skip, saying so."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"reference corpus not found at {SHARED} (only the project's CI and its developers have ../shared)")
    return SHARED
