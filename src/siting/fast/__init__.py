"""The `fast` model: white spots of the fast-charging network (models/fast.md).

Modules, as in every model package: params (instance.toml section), instance (arrays), load,
validate, model (the formulation), solution, verify (the independent checker), screens, report,
generate, api (solve_fast), spec (for the registry); and for this model: pairs, reduction,
dominance, heuristics, local_search and benders.
"""
