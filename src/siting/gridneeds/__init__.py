"""`gridneeds`: the grid needs of a charging plan for the provincial energy programmes (NAL art. 9:
mobility's power demand on the agenda of the pMIEK / RES).

An analysis on the models, not a model: per grid area (and period) the kW the plan needs with the
grid limit and without it, and, where the headroom is used up, the objective gained by +1 MW and
+5 MW there, from re-solves of the fast, corridor or rollout model run as one batch on Dask
(`api.grid_needs`, `report.write_grid_needs`, command `siting grid-needs`).
"""
