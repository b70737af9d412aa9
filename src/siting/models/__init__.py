"""Pure model builders: instance + precomputed arrays -> Formulation (no I/O, no solving)."""
