"""z3 proofs and oracles."""
