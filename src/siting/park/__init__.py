"""The `park` model: collective charging squares on a business park (models/park.md).

Modules, as in every model package: params, instance, load, validate, model, solution, verify,
screens, report, generate, api (solve_park), spec; and for this model: synthetic (seeded small
parks for tests and the generator).
"""
