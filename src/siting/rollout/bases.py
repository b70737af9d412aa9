"""The base models a rollout can stack (`rollout.base`): their adapters (adapter.Base), each imported
only when a rollout of that base runs (the corridor's solve, report and map code is not loaded for
a fast rollout)."""

from __future__ import annotations

from siting.rollout.adapter import Base


def base_of(name: str) -> Base:
    if name == "corridor":
        from siting.rollout.corridor_base import CORRIDOR

        return CORRIDOR
    from siting.rollout.fast_base import FAST

    return FAST
