"""siting: where charging infrastructure goes."""

__version__ = "0.1.0"
