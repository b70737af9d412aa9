"""`solve_rollout`: load, pairs (shared by every period), the year-by-year plan, the joined
model warm-started from it, extract, check; a `RolloutRun` holds both plans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from siting.checks import Certificate
from siting.fast.pairs import fast_pairs
from siting.formulation import emit
from siting.options import SolveOptions
from siting.pipeline import Phases, Run, checked_answer, open_instance
from siting.precompute import Pairs
from siting.rollout.extract import extract_rollout, rollout_vector
from siting.rollout.instance import RolloutInstance
from siting.rollout.model import Stacked, build_rollout
from siting.rollout.myopic import solve_myopic
from siting.rollout.solution import RolloutSolution
from siting.rollout.verify import verify_rollout
from siting.solve import SolveResult, solve


@dataclass(kw_only=True)
class RolloutRun(Run):
    pairs: Pairs
    stacked: Stacked
    myopic: RolloutSolution | None = None
    myopic_results: list[SolveResult] | None = None
    myopic_certificate: Certificate | None = None


def solve_rollout(instance: RolloutInstance | str | Path, options: SolveOptions = SolveOptions(),
                  overrides: list[str] | None = None, pairs: Pairs | None = None,
                  write_model: Path | None = None) -> RolloutRun:
    from siting.rollout.load import load_rollout

    clock = Phases()
    instance, source = open_instance(instance, RolloutInstance, load_rollout, overrides)
    clock.end("load")
    pairs = pairs if pairs is not None else fast_pairs(instance.first)  # positions and R: every period's
    clock.end("precompute")
    myopic, myopic_results = solve_myopic(instance, pairs, options)
    myopic_cert = verify_rollout(instance, pairs, myopic) if myopic is not None else None
    clock.end("myopic")
    stacked = build_rollout(instance, pairs)
    form = stacked.form
    clock.end("build")
    if write_model is not None:
        emit.write_model(form, write_model)
    warm, warm_info = None, {"used": False, "reason": "no year-by-year plan"}
    if myopic is not None and options.warm_start:
        warm = rollout_vector(stacked, instance, pairs, myopic)
        violation, where = form.max_violation(warm)
        warm_info = {"used": violation <= 1e-6, "objective": form.objective_value(warm), "source": "year by year"}
        if violation > 1e-6:  # cannot happen for a correct model: say so instead of hiding it
            warm, warm_info["reason"] = None, f"the year-by-year plan violates {where}"
    result = solve(form, options, warm)
    clock.end("solve", result.seconds)
    solution, certificate = checked_answer(result, lambda x: extract_rollout(stacked, instance, x, pairs),
                                           lambda sol: verify_rollout(instance, pairs, sol))
    clock.end("extract")
    return RolloutRun(instance=instance, pairs=pairs, formulation=form, result=result, solution=solution,
                      certificate=certificate, times=clock.total(), warm_start=warm_info, source=source,
                      stacked=stacked, myopic=myopic, myopic_results=myopic_results,
                      myopic_certificate=myopic_cert)


def describe_rollout(inst: RolloutInstance) -> str:
    q = inst.first
    return (f"{inst.name}: valid — {inst.n_periods} periods ({', '.join(map(str, inst.years))}), "
            f"{q.n_demand} demand points, {int((~q.is_existing).sum())} candidates, {int(q.is_existing.sum())} "
            f"existing sites, {q.grid.size if q.grid else 0} grid areas; objective {q.params.objective}")
