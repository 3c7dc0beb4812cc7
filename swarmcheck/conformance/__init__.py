"""Conformance: the Raft model's rules judge a real Raft library (issue 17).

`cluster` runs pysyncobj nodes in one process over `network` (our links, our clock, our
randomness); `views` reads each node's Raft variables as the model's; `rules` says which
steps of a server Raft allows (Fig. 2, as raft.tla's actions) and judges the model's own
safety properties on the implementation's states; `stateful` lets Hypothesis drive a
cluster and shrink what breaks; `traces` records a run as JSON lines and validates one.
"""
