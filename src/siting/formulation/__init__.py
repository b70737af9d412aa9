"""A MILP as named sparse blocks (`blocks`), its emitters to highspy and pyomo (`emit`), and the
constraint families every model shares: land, grid headroom, chargers, budget (`families`)."""

from siting.formulation.blocks import INF, ConBlock, Domain, Formulation, Sense, VarBlock

__all__ = ["INF", "ConBlock", "Domain", "Formulation", "Sense", "VarBlock"]
