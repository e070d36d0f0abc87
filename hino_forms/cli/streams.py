"""Standard output and error as UTF-8 whenever they go to a file or a pipe.

On Windows, Python encodes redirected output with the console's code page
(cp932 on a Japanese desk): ``plan --format json > plan.json`` then wrote
Shift_JIS, and a name with 𠮷 ended in UnicodeEncodeError. A console window
itself is left alone: Python writes to it as UTF-16 whatever the code page.
"""

from __future__ import annotations

import codecs
import io
import sys


def use_utf8_when_redirected() -> None:
    """Re-encode sys.stdout and sys.stderr as UTF-8 when they are not a terminal."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper) or stream.isatty():
            continue
        if codecs.lookup(stream.encoding).name == "utf-8":
            continue
        stream.flush()
        # backslashreplace: a lone surrogate (a mis-decoded file name) must not cost the run.
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
