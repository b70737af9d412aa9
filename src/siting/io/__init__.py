"""Input and output: the only package that imports geopandas."""
