"""Pure state machines of the swarm control plane: one module a protocol."""
