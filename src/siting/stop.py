"""A stop asked for by Ctrl-C (SIGINT) or SIGTERM, remembered until the next safe point.

Python raises KeyboardInterrupt wherever the main thread happens to be. Inside a ctypes callback
(numba's LLVM compile calls one while precomputing) that exception is printed and dropped, and the
run would go on to solve for minutes. So the CLI's handler also records the stop here, and each
phase boundary and the start of every solve raise it again.
"""

from __future__ import annotations

import sys

_requested = False


def request(signum=None, frame=None) -> None:
    """Signal handler: remember the stop and raise it now (it may be swallowed, see above)."""
    global _requested
    _requested = True
    raise KeyboardInterrupt


def raise_if_requested() -> None:
    if _requested:
        raise KeyboardInterrupt


def clear() -> None:
    global _requested
    _requested = False


def quiet_unraisable(unraisable) -> None:
    """sys.unraisablehook: after a stop, drop the noise of exceptions that could not be raised
    (the interrupted callback, half-built objects' __del__); before it, report as Python does."""
    if not _requested:
        sys.__unraisablehook__(unraisable)
