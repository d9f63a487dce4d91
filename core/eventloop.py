"""Calling pyHanko's synchronous wrappers (they use asyncio.run) from anywhere.

Used by receipts (the service's signature) and signatures (people's signatures)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def outside_event_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn`` where asyncio.run may run.

    In a thread that already runs an event loop (an ASGI worker, or a test driving a
    browser) asyncio.run refuses; the call then runs on a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()
