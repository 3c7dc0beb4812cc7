"""Studies of one model: jobs that put an engine, a model and an output together to answer
a question the properties cannot (the greedy-strand scan of `check --oracle`, gossip's
timed simulation and its figures). Unlike an engine, a study knows its protocol by name."""
