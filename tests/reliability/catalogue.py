"""The bad-input catalogue (scripts/make_bad_instances.py), generated once per test run.

xdist workers share one copy: the first worker to take the lock writes it into the run's common
temporary folder, the others read its manifest.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "make_bad_instances.py"


def _load_script():
    name = "make_bad_instances"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


catalogue_script = _load_script()
Case = catalogue_script.Case
CASE_NAMES = [template.name for template, _ in catalogue_script.CASES]


def build_catalogue(factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Path]]:
    """name -> (case, folder); written once per run, shared by xdist workers."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = factory.getbasetemp().parent
    else:
        root = factory.getbasetemp()
    out = root / "bad-instances"
    with open(root / "bad-instances.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "cases.json").is_file():
            cases = catalogue_script.load_manifest(out)
        else:
            cases = catalogue_script.make_catalogue(REPO, out)
    return {c.name: (c, out / c.name) for c in cases}
