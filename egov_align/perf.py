"""Speed helpers shared by the loader, the graph and the analyses."""

from __future__ import annotations

import contextlib
import gc

# Fewer new objects than this are left to the collector as usual: a collection over them is
# quick, and moving them to the oldest generation unexamined would make full collections more
# frequent in a long-running process (the dashboard, the test suite), as the collector counts
# the oldest generation's size only when it collects it.
_PROMOTE_AT = 200_000
_frozen_depth = 0  # heap_frozen blocks open in this process (the CLI's: one thread)


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while building hundreds of thousands of small objects.

    Nothing we build is cyclic, and collections triggered by allocation cost 2-3x.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _promote_young()
            gc.enable()


def _promote_young() -> None:
    """Many objects built while paused go straight to the oldest generation, unexamined.

    While the collector is off, every new object stays in the youngest generation: the first
    collection after it is back walked all of a national model (half a second), the next
    generation walked it again, and its arrival in the oldest set off a full collection.
    Frozen and thawed, they skip all three; within heap_frozen they stay frozen with the rest.
    """
    if _frozen_depth:
        gc.freeze()
    elif gc.get_count()[0] > _PROMOTE_AT:
        elsewhere = _frozen_elsewhere()
        gc.freeze()
        if not elsewhere:
            gc.unfreeze()


def _frozen_elsewhere() -> bool:
    """Has another part of the program frozen objects (the dashboard freezes its models)? Then
    they stay frozen, and ours with them. Counting walks the frozen objects: asked rarely."""
    return gc.get_freeze_count() > 0


@contextlib.contextmanager
def heap_frozen():
    """Collections inside see only objects made inside: what exists already (a national model's
    findings, millions of objects) is moved out of the collector's sight until the end.

    A text report of 150,000 findings builds half a million strings and lists; the collections
    they trigger walked every finding again and again (1.1 s of a 1.6 s report). Importing the
    rules after loading a national model set off one full collection over it (0.6 s). Where
    another part of the program freezes objects itself (the dashboard), it is left to that.
    """
    global _frozen_depth
    outermost = _frozen_depth == 0
    if outermost and _frozen_elsewhere():
        yield
        return
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if outermost:
            gc.unfreeze()
