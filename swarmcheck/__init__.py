"""swarmcheck: engines (explorer, Hypothesis bridge, z3) and the command line."""

__version__ = "0.1.0"
