"""Seeded generators that follow two published MCLP benchmark designs (not a test).

Both designs are uniform points in a square; they are meant to be merged into
`benchmarks.mclp_families.FAMILIES` (``FAMILIES | PUBLISHED``). Coordinates are in metres: the
square of side 30 (units; from the reproduction code named below) is taken as 30 km, so
1 unit = 1 000 m (assumed: no unit is given anywhere). Everything tagged "assumed" below is a
choice made here, not something read in a paper; where a parameter comes from the authors' (or a
reproducing group's) code rather than the paper text, the file is named.

1. Cordeau, Furini & Ljubić (2019), "Benders decomposition for very large scale partial set
   covering and maximal covering location problems", EJOR 275(3): 882-896.

   Read: only the title page and abstract (preprint copy on vdocuments.us). The abstract defines
   the MCLP with a *budget*, not a cardinality: "finding a subset of facilities that maximizes the
   amount of demand covered while respecting a budget constraint on the cost of the facilities",
   and reports "benchmark instances involving up to twenty million demand points". The section
   that describes how the instances are generated was NOT found (no section or page number can
   be given for it here). Its parameters are taken instead from code:

   * the authors' generator, github.com/fabiofurini/LocationCovering,
     ``GENERATOR_INSTANCES_PAPER/src/Main.cpp``: arguments ``n_locations n_clients min_demand
     max_demand min_cost max_cost seed size_grid``; facility and then customer coordinates
     uniform in [0, size_grid]^2 (``rand()/RAND_MAX*(max-min)+min``); integer opening costs
     uniform in [min_cost, max_cost] and integer demands uniform in [min_demand, max_demand]
     (``rand() % (max-min+1) + min``); files ``GRID_INST_n{|I|}_m{|J|}_d{dmin}_{dmax}_f{fmin}_
     {fmax}_s{seed}.dat``. The repository stores ``GRID_INST_n100_m1000_d1_100_f10_100_s1.dat``.
     Radius and budget are run-time arguments; the README's example is
     ``./[exeNAME] GRID_MCLP_n100_m10000_d1_100_f1_1_s1.dat 2 600 6.25 10`` ("iii) the radius of
     coverage iiii) for the MCLP the Covering Demand and for the PSCLP the Budget", sic): an MCLP
     instance with |I| = 100 facilities, |J| = 10 000 customers, demands 1-100, *unit* costs
     (f1_1), R = 6.25 and B = 10, i.e. B is a number of facilities (cardinality p = 10).
   * the grid side 30 is not fixed in that generator. It comes from the reproduction of this
     testbed by Chen, Chen, Chen, Dai, Quan & Chen ("Efficient presolving methods for solving
     maximal covering and partial set covering location problems", 2021 preprint; code
     github.com/OptChenLiang/MCLP-PSCLPcode): customers are drawn as ``rand()/rand_max*30``
     (``PRECPX/src/presolve.cpp``, ``IA``) and the facility files (``TESTDATA/f_data/
     n100_f10_100_s*.dat``) have coordinates in [0, 30] and costs in 10-100 (f10_100). Their script
     ``PRECPX/Subs-MCLP-T1.sh`` gives the (budget, radius) pairs, |I| = 100, 5 seeds and
     |J| in {1e4, 5e4, 1e5, 5e5, 1e6, 1.5e6, 2e6, 4e6, 6e6, 1e7, 1.5e7, 2e7, 2.5e7, ..., 4e7}:
     budget share 0.10 with R in {5.5, 5.75, 6, 6.25}; 0.15 with R in {4, 4.25, 4.5, 4.75, 5};
     0.20 with R in {3.25, 3.5, 3.75, 4, 4.25} (`RADII`). Their reader sets every facility cost
     to 1 (``inst->fixed_cost[j] = 1``, ``PRECPX/src/global_functions.cpp``) and a budget below 1
     becomes ``floor(share * sum of costs)``: p = 10, 15, 20 for |I| = 100. For |I| != 100
     (``Subs-MCLP-T3.sh``, |I| in {200, ..., 500}) the radius is scaled as R * sqrt(100/|I|),
     which keeps the expected number of facilities covering a customer constant. That number is
     about pi R^2 |I| / 30^2 (ignoring edges): 3.7 at R = 3.25 up to 13.6 at R = 6.25 for
     |I| = 100 (computed here, not a quote).

   Assumed here: side 30 and the (budget, R) pairs above are those of the paper (they are those of
   the reproduction and of the authors' README example); the R * sqrt(100/|I|) scaling and
   p = floor(share * |I|) for |I| != 100; unit costs for the MCLP (so the budget is a cardinality
   and `mclp_instance` is used). With non-unit costs (``cost=(10, 100)``, the range of the
   stored generator file) the budget B = floor(share * sum f_j) is kept as a budget
   (`mclp_instance(..., cost=, budget=)`); that B rule is the reproduction's, assumed.
   siting covers at d_ij <= R, the codes at d_ij < R (a measure-zero difference).

2. Lv, Yu, Liang, Chen & Dai, "Presolving and cutting planes for the generalized maximal covering
   location problem", EJOR 327(2): 394-406 (2025); arXiv 2409.09834.

   Read: only the abstract (arXiv HTML v1/v2, RePEc/IDEAS record). It uses a *cardinality*: the
   GMCLP "establishes a fixed number of facilities to maximize the weighted sum of the covered
   customers, allowing customer weights to be positive or negative"; its testbeds are "40
   instances with identical numbers of customers and candidate facility locations in the
   literature" and "336 instances where the number of customers is much larger than the number
   of candidate facility locations". The section that describes how the 336 instances are
   generated was NOT found: square, |I|, |J|, radius, p and the weight distribution (in
   particular the share and range of negative weights) are all unknown here.

   Assumed here: the 336-instance testbed follows the design of the same group's earlier MCLP
   paper (Chen et al., above; W.-K. Chen and Y.-H. Dai are authors of both), as their code
   draws it: customers and facilities uniform in [0, 30]^2, integer weights uniform in [10, 99]
   (``(rand() % (b-a)) + a`` with a = 10, b = 100), unit costs, p = floor(share * |I|), the same
   (share, R) pairs and R * sqrt(100/|I|) scaling. (336 = 14 x 24 would fit the 14 (share, R)
   pairs times 24 other combinations, but that is a guess.) Negative weights are NOT generated:
   siting's MCLP (y_i <= sum_{j in N_i} x_j, max sum_i w_i y_i) would simply leave a negative
   customer uncovered, which is not the GMCLP (there a negative customer within R of an open
   facility counts), so `lv_design` builds the nonnegative special case, i.e. the textbook MCLP,
   and refuses ``negative_share > 0``.

`PUBLISHED` holds 3-4 sizes per design, including 100 k customers x 1 k facilities. With the
reproduction's scaling p grows with |I| (p = 100-200 at |I| = 1 000), unlike mclp_families'
p = 20/50.
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks.mclp_families import mclp_instance
from siting.fast.instance import FastInstance

SIDE = 30.0  # the square's side in the papers' units (reproduction code; assumed for both papers)
METRES_PER_UNIT = 1_000.0  # assumed: side 30 -> 30 km
BASE_FACILITIES = 100  # |I| of the published testbed; the radius is given at this |I|
# budget share of the total facility cost (unit costs: of |I|) -> the radii paired with it
# (paper units, at |I| = 100)
RADII: dict[float, tuple[float, ...]] = {
    0.10: (5.5, 5.75, 6.0, 6.25),
    0.15: (4.0, 4.25, 4.5, 4.75, 5.0),
    0.20: (3.25, 3.5, 3.75, 4.0, 4.25),
}


def scaled_radius(radius: float, facilities: int,
                  metres_per_unit: float = METRES_PER_UNIT) -> float:
    """The radius in metres: R (paper units, at |I| = 100) * sqrt(100/|I|) * metres per unit."""
    return radius * math.sqrt(BASE_FACILITIES / facilities) * metres_per_unit


def budget_value(budget: float, cost: np.ndarray) -> float:
    """B: a share of the total cost when below 1 (floor, as the reproduction), else absolute."""
    return float(math.floor(budget * cost.sum())) if budget < 1 else float(budget)


def _build(prefix: str, seed: int, customers: int, facilities: int, radius: float, budget: float,
           demand: tuple[int, int], cost: tuple[int, int], side: float,
           metres_per_unit: float) -> FastInstance:
    """Facilities, then customers, uniform in the square; then integer costs, then demands
    (the authors' generator's order); unit costs -> cardinality p, else a budget."""
    rng = np.random.default_rng(seed)
    size = side * metres_per_unit
    site_xy = rng.uniform(0.0, size, (facilities, 2))
    demand_xy = rng.uniform(0.0, size, (customers, 2))
    f = rng.integers(cost[0], cost[1] + 1, facilities)
    w = rng.integers(demand[0], demand[1] + 1, customers)
    r = scaled_radius(radius, facilities, metres_per_unit)
    b = budget_value(budget, f)
    tag = f"{prefix}-{customers}-{facilities}-r{radius:g}"
    if cost == (1, 1):
        p = int(b)
        return mclp_instance(f"{tag}-p{p}-s{seed}", demand_xy, w, site_xy, r, p)
    return mclp_instance(f"{tag}-B{b:g}-s{seed}", demand_xy, w, site_xy, r, None, cost=f, budget=b)


def cordeau_design(seed: int, customers: int, facilities: int = BASE_FACILITIES,
                   radius: float = 5.5, budget: float = 0.10, demand: tuple[int, int] = (1, 100),
                   cost: tuple[int, int] = (1, 1), side: float = SIDE,
                   metres_per_unit: float = METRES_PER_UNIT) -> FastInstance:
    """Cordeau, Furini & Ljubić (2019) as their generator draws it (see the module docstring).

    radius: R in paper units at |I| = 100 (published pairs in `RADII`), scaled by sqrt(100/|I|);
    budget: a share of the total facility cost (< 1, floor) or an absolute B (>= 1); with unit
    costs (the README's f1_1, the default) B is the number of facilities p; demands uniform
    integers in `demand` (d1_100); cost=(10, 100) gives a budgeted instance instead.
    """
    return _build("cordeau", seed, customers, facilities, radius, budget, demand, cost, side,
                  metres_per_unit)


def lv_design(seed: int, customers: int, facilities: int = BASE_FACILITIES, radius: float = 4.0,
              budget: float = 0.20, negative_share: float = 0.0, side: float = SIDE,
              metres_per_unit: float = METRES_PER_UNIT) -> FastInstance:
    """Lv, Yu, Liang, Chen & Dai (2025), as assumed in the module docstring: the same group's
    MCLP design (weights uniform integers 10-99, unit costs, p = floor(share * |I|)).

    negative_share > 0 (GMCLP's negative weights) is refused: siting's MCLP cannot express it.
    """
    if negative_share > 0:
        raise ValueError("negative weights (GMCLP) are not the MCLP siting solves: a negative "
                         "customer would just be left uncovered; use negative_share=0")
    return _build("lv", seed, customers, facilities, radius, budget, (10, 99), (1, 1), side,
                  metres_per_unit)


# name -> builder; R in paper units at |I| = 100, budget share of |I| (unit costs) -> p
PUBLISHED = {
    # |I| = 100 as published: R 5.5 -> 5.5 km, p = 10; R 4.5 km, p = 15
    "cordeau-10k": lambda: cordeau_design(1, 10_000, 100, radius=5.5, budget=0.10),
    "cordeau-100k": lambda: cordeau_design(2, 100_000, 100, radius=4.5, budget=0.15),
    # |I| = 1 000: R scaled by sqrt(1/10): 5.5 -> 1 739 m, p = 100; 3.25 -> 1 028 m, p = 200
    "cordeau-100k-1k": lambda: cordeau_design(3, 100_000, 1_000, radius=5.5, budget=0.10),
    "cordeau-100k-1k-b20": lambda: cordeau_design(4, 100_000, 1_000, radius=3.25, budget=0.20),
    # Lv et al. (assumed design): R 4 km, p = 20; R 6.25 km, p = 10; R 4.75 -> 1 502 m, p = 150
    "lv-10k": lambda: lv_design(1, 10_000, 100, radius=4.0, budget=0.20),
    "lv-100k": lambda: lv_design(2, 100_000, 100, radius=6.25, budget=0.10),
    "lv-100k-1k": lambda: lv_design(3, 100_000, 1_000, radius=4.75, budget=0.15),
}
