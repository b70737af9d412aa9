"""The `corridor` model: flow refuelling of trucks along motorways (models/corridor.md).

Modules, as in every model package: params, instance, load, validate, model, solution, verify,
screens, report, generate, api (solve_corridor), spec; and for this model: scenario (option
files) and compare (several scenarios side by side).
"""
