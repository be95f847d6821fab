"""The `re` module with patterns compiled on first use.

`from rclint import lazyre as re` in place of `import re`: everything is the `re` module's own
except `compile`, which returns a stand-in that compiles the pattern the first time one of its
methods or attributes is used. A module-level pattern a run never uses then costs nothing;
compiling the ~50 patterns of rclint's modules costs several milliseconds of every start-up,
and most runs use only a few of them.

After its first use a stand-in keeps the compiled pattern's bound methods as its own
attributes, so `_PATTERN.match(text)` costs what it costs on a compiled pattern. A stand-in is
no `re.Pattern`: pass it to nothing that wants one (`re.sub(_PATTERN, ...)`); call its methods.
"""

from __future__ import annotations

import re as _re
from re import *  # noqa: F401,F403  (the rest of the re module, unchanged)

__all__ = list(_re.__all__)


class LazyPattern:
    """A compiled pattern, compiled when first used."""

    def __init__(self, pattern, flags=0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        if name == "_args":  # not initialised (copy, unpickling): never recurse
            raise AttributeError(name)
        value = getattr(_re.compile(*self._args), name)
        self.__dict__[name] = value  # found as a plain attribute from now on
        return value

    def __repr__(self) -> str:
        return repr(_re.compile(*self._args))


def compile(pattern, flags=0) -> LazyPattern:  # noqa: A001  (the re module's name)
    return LazyPattern(pattern, flags)
