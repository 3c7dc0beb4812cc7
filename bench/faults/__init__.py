"""The mutation list of bench/mutants.py, one module per model."""

from __future__ import annotations

from faults.fault import Fault
from faults.gossip import GOSSIP
from faults.raft import RAFT
from faults.scheduler import SCHEDULER
from faults.security import SECURITY

FAULTS: list[Fault] = [*RAFT, *GOSSIP, *SCHEDULER, *SECURITY]

__all__ = ["FAULTS", "Fault"]
