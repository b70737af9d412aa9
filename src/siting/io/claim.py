"""Claim a result folder for the length of a run, so two runs never write the same folder.

The claim is a lock file beside the folder (`.<name>.lock`, created with O_EXCL, so of two runs
that start together exactly one gets it), holding who took it. A second run into the same folder
is refused at its start, naming the first; a lock left by a run that died (same host, process
gone) is taken over. The claim is released when the run ends, however it ends.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

from siting.errors import SitingError


def lock_path(out: Path) -> Path:
    return Path(out).parent / f".{Path(out).name}.lock"


class FolderClaim:
    """`with FolderClaim(out):` holds the lock on `out` (the folder itself need not exist)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.lock = lock_path(self.out)
        self.held = False

    def __enter__(self) -> FolderClaim:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                  "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])}
        for _ in range(2):  # a second try only after removing a stale lock
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = _read(self.lock)
                if _is_stale(holder):
                    self.lock.unlink(missing_ok=True)
                    continue
                raise SitingError(f"output folder {self.out} is being written by another siting run "
                                  f"({_describe(holder)}); wait for it to end or choose another --out "
                                  f"(if no such run exists, delete {self.lock})") from None
            with os.fdopen(fd, "w") as f:
                json.dump(record, f)
            self.held = True
            return self
        raise SitingError(f"could not claim output folder {self.out}: another run keeps taking {self.lock}")

    def __exit__(self, *exc) -> None:
        if self.held and _read(self.lock).get("pid") == os.getpid():
            self.lock.unlink(missing_ok=True)
        self.held = False


def _read(lock: Path) -> dict:
    try:
        data = json.loads(lock.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # being written this instant, or not ours: treat as held by someone unknown


def _is_stale(holder: dict) -> bool:
    """Only a lock of this host whose process is gone is stale; one of another host may be live."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _describe(holder: dict) -> str:
    if not holder:
        return "holder unknown"
    return (f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}: "
            f"`{holder.get('command')}`")
