"""`whitespots`: the white-spot analysis of the regular public charging network (models/whitespots.md).

An analysis on the `fast` core, not a model of its own: it reads the CBS 500 m cells, the public
charging points and the municipalities' plan maps, sorts every white spot into category (a), (b)
or (c), and hands the LSCP of the plan-map locations to `siting.fast` (same pairs kernel, same
formulation, same solve and checker).
"""
