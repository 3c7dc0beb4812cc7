"""Examples of models of one's own, checked with swarmcheck's API (docs/api.md)."""
