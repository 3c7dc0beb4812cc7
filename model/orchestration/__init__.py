"""Orchestration: swarmkit's orchestrators, restart supervisor, updater, constraint
enforcer, scheduler, agents and service discovery, as separate steps so that their
interleavings are explored.

Follows ../shared/reference/swarm-semantics.md sections A and D; each rule names its
section. One replicated service (`web`, N replicas in slots 1..N) and, optionally,
one global service (`agent`, one task per eligible node). Tasks are the store's
records: (id, service, slot, node, desired, observed, spec version), with swarmkit's
state numbers, so "never goes back" is a comparison. Control-loop work is triggered
the way swarmkit triggers it, by events: a node or task change queues a restart
request, processed later by its own step, possibly after the store has moved on
(A.7, A.9).

One module per swarmkit component, each stating the state it reads and writes:
`controlapi` (users), `faults`, `rolemanager`, `replicated`, `global_`,
`constraintenforcer`, `update`, `restart`, `scheduler` (with `filters`), `agent`,
`taskreaper`, `discovery`; `cluster` holds what they share, `model` composes them,
`symmetry` reduces by node renamings. The records (task states, node facts, the task
tuple and A.1's predicates) live in `tasks`; constraints (A.4) in `constraint`; sizes,
bounds, seeded bugs and the suite in `config`; the state and its steps in `state`.

Simplifications, each stated:
- the allocator is folded into task creation (tasks are born PENDING);
- the agent's ACCEPTED..STARTING are one step to RUNNING, or to STARTING when web has a
  health check (the agent reports RUNNING once healthy, swarmd/dockerexec Start);
- no clock: the restart delay and Window are zero, and DelayStart's one-minute timeout
  never fires (a replacement waits, desired READY, until the older tasks of its slot have
  stopped or lost their node; see `RestartSupervisor.start_when`);
- the task reaper keeps one task per slot (TaskHistoryRetentionLimit 1; swarm's default
  is 5, and only the newest matters to the orchestrator), or MaxAttempts + 1 as swarmkit
  forces;
- tasks are scheduled one at a time (swarmkit fills a batch; its spread tree and
  bounded heap reduce to the per-task choice for one task);
- updates: web only, parallelism 1, no delay, failure action pause with ratio 0.
"""

from model.orchestration.config import BUGS, DEFAULT, ROLLING, SUITE, UNREACHED, Config
from model.orchestration.model import Orchestration
from model.orchestration.state import State, Step

__all__ = ["BUGS", "DEFAULT", "ROLLING", "SUITE", "UNREACHED", "Config", "Orchestration", "State", "Step"]
