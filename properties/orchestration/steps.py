"""Rules about single steps of the orchestrators, the scheduler and the agents, from the
reference: a replica goes to a node nodeLess ranks first (A.5), a new task bound to a node is
made only for a ready, active one (A.2, A.8, A.9: pause and drain take no new tasks), and a
task is reported running only while it is wanted (A.1)."""

from __future__ import annotations

from typing import Any

from model.orchestration import Orchestration, State
from model.orchestration.tasks import (
    ACTIVE,
    AVAILABILITY,
    DESIRED,
    ID,
    NO_NODE,
    NODE,
    OBSERVED,
    READY,
    RUNNING,
    STATUS,
    SVC,
    WEB,
)
from properties.orchestration import reference


def placement_follows_node_order(model: Orchestration) -> Any:
    config = model.config

    def check(before: State, action: Any, after: State) -> str | None:
        """A.5 nodeLess: a replica goes to a node passing the filters with the fewest active tasks
        of its service, then the fewest in all (ties are a choice)."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        if task[SVC] != WEB or task[NODE] != NO_NODE:
            return None
        if reference.unfit(config, before, task, action.node) is not None:
            return None  # a node the filters refuse: assignment_passes_filters' to judge
        best_nodes = reference.preferred_nodes(config, before, task)
        if action.node in best_nodes:
            return None
        best = ", ".join(f"n{node + 1}" for node in best_nodes)
        return f"t{task[ID]} was placed on n{action.node + 1}; nodeLess ranks {best} first"

    return check


def new_task_only_on_an_active_node(before: State, action: Any, after: State) -> str | None:
    """A.2, A.8, A.9: a task made for a given node (a global task, or its restart) is made only
    for a node that is ready and active: a paused node takes no new task, a drained or down one none."""
    known = {t[ID] for t in before.tasks}
    for t in after.tasks:
        node = t[NODE]
        if t[ID] in known or node == NO_NODE:
            continue
        if after.status[node] != READY or after.availability[node] != ACTIVE:
            state = f"{STATUS[after.status[node]]}, {AVAILABILITY[after.availability[node]]}"
            return f"{action} made t{t[ID]} for n{node + 1}, which is {state}"
    return None


def runs_only_while_wanted(before: State, action: Any, after: State) -> str | None:
    """A.1: an agent moves a task to RUNNING only while its desired state is RUNNING; one told
    to stop is shut down, never reported running (or healthy) first."""
    was = {t[ID]: t for t in before.tasks}
    for t in after.tasks:
        old = was.get(t[ID])
        if old is not None and old[OBSERVED] < RUNNING == t[OBSERVED] and t[DESIRED] != RUNNING:
            return f"t{t[ID]} was reported running by {action}, though it was told to stop"
    return None
