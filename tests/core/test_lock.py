"""requirements.lock: the exact versions CI passed with, and the ones this suite runs on.

`make` installs with `pip install -c requirements.lock`, so a new HiGHS or numba release cannot
change the published optima or the timings without a commit that renews the lock (`make lock`).
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]


def locked() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line  # a lock pins, it does not range
            pins[canonicalize_name(requirement.name)] = Version(spec.version)
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_dependency_is_pinned_within_its_range() -> None:
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (requirement, pins[name])


def test_the_suite_runs_on_the_locked_versions() -> None:
    """What the suite measures is what the lock says (installed by make); the project itself and
    packages the lock does not name (a developer's extras) are not checked."""
    pins = locked()
    wrong = []
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in pins and Version(dist.version) != pins[name]:
            wrong.append(f"{name} {dist.version} (lock: {pins[name]})")
    assert not wrong, "installed versions differ from requirements.lock (make test installs from it): " + \
        ", ".join(sorted(wrong))


def test_highs_is_pinned() -> None:
    """The published optima and timings were measured on this HiGHS; summary.json records it too."""
    import highspy

    assert Version(highspy.Highs().version()) == locked()["highspy"]
