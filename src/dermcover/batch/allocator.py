"""polars' memory allocator, set up for a batch run before polars is first imported.

polars allocates through its own jemalloc, which by default keeps several arenas per core;
the threads of a batch run (the reader, two deciders, the writer and polars' own pool) each
take memory from their own, and a chunk freed in one arena is not reused by a thread of
another. So the run kept touching fresh memory: on the project's 2-core machine a quarter to
two fifths of the run's CPU was the kernel's, most of it mapping and clearing new pages. With
one arena every thread reuses the chunks freed before it, and the kernel's share is about a
seventh (`bench/README.md` has the figures). polars adds what the variable holds to its
own settings when it is loaded, and jemalloc reads them once, so this must come first; a
setting of the user's own is kept, and nothing is added to it.
"""

from __future__ import annotations

import os
import sys

SETTINGS = "_RJEM_MALLOC_CONF"  # the variable polars' jemalloc reads its settings from
FOR_BATCH = "narenas:1"


def for_batch() -> None:
    """Settle the allocator for a batch run, unless it is too late (polars is loaded) or the
    environment already says how."""
    if "polars" not in sys.modules and SETTINGS not in os.environ:
        os.environ[SETTINGS] = FOR_BATCH
