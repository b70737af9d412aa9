"""`solve_rollout`: load, the base's shared data (fast: the pairs; corridor: paths and arc-cover
sets; the same for every period), the year-by-year plan, the joined model warm-started from it,
extract, check; a `RolloutRun` holds both plans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from siting.checks import Certificate
from siting.formulation import emit
from siting.options import SolveOptions
from siting.pipeline import Phases, Run, checked_answer, open_instance
from siting.rollout.bases import base_of
from siting.rollout.extract import extract_rollout, rollout_vector
from siting.rollout.instance import RolloutInstance
from siting.rollout.model import Stacked, build_rollout
from siting.rollout.myopic import solve_myopic
from siting.rollout.solution import RolloutSolution
from siting.rollout.verify import verify_rollout
from siting.solve import SolveResult, solve


@dataclass(kw_only=True)
class RolloutRun(Run):
    data: Any  # what the base's periods share: fast Pairs, corridor CorridorData (paths, arc-cover sets)
    stacked: Stacked
    myopic: RolloutSolution | None = None
    myopic_results: list[SolveResult] | None = None
    myopic_certificate: Certificate | None = None

    @property
    def pairs(self) -> Any:
        """The fast base's pairs (the name of `data` for base fast)."""
        return self.data


def solve_rollout(instance: RolloutInstance | str | Path, options: SolveOptions = SolveOptions(),
                  overrides: list[str] | None = None, pairs: Any = None,
                  write_model: Path | None = None) -> RolloutRun:
    """`pairs`: the base's shared data, when computed already (fast: Pairs; corridor: CorridorData)."""
    from siting.rollout.load import load_rollout

    clock = Phases()
    instance, source = open_instance(instance, RolloutInstance, load_rollout, overrides)
    base = base_of(instance.base)
    clock.end("load")
    data = pairs if pairs is not None else base.precompute(instance.first)  # positions, paths, R: every period's
    clock.end("precompute")
    myopic, myopic_results = solve_myopic(instance, data, options)
    myopic_cert = verify_rollout(instance, data, myopic) if myopic is not None else None
    clock.end("myopic")
    stacked = build_rollout(instance, data)
    form = stacked.form
    clock.end("build")
    if write_model is not None:
        emit.write_model(form, write_model)
    warm, warm_info = None, {"used": False, "reason": "no year-by-year plan"}
    if myopic is not None and options.warm_start:
        warm = rollout_vector(stacked, instance, data, myopic, [r.x for r in myopic_results])
        violation, where = form.max_violation(warm)
        warm_info = {"used": violation <= 1e-6, "objective": form.objective_value(warm), "source": "year by year"}
        if violation > 1e-6:  # cannot happen for a correct model: say so instead of hiding it
            warm, warm_info["reason"] = None, f"the year-by-year plan violates {where}"
    result = solve(form, options, warm)
    clock.end("solve", result.seconds)
    solution, certificate = checked_answer(result, lambda x: extract_rollout(stacked, instance, x, data),
                                           lambda sol: verify_rollout(instance, data, sol),
                                           more_is_fine=base.more_is_fine and form.sense == "max")
    clock.end("extract")
    return RolloutRun(instance=instance, data=data, formulation=form, result=result, solution=solution,
                      certificate=certificate, times=clock.total(), warm_start=warm_info, source=source,
                      stacked=stacked, myopic=myopic, myopic_results=myopic_results,
                      myopic_certificate=myopic_cert)


def describe_rollout(inst: RolloutInstance) -> str:
    return base_of(inst.base).describe(inst)
