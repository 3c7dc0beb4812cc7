"""The updater (swarmkit manager/orchestrator/update, reference A.11): a rolling update of
web, parallelism 1, stop-first or start-first, failure action pause.

Reads: update, update_slot, update_task, version, tasks.
Writes: update, update_slot, update_task, tasks, created.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    DESIRED,
    ID,
    IDLE,
    NO_NODE,
    OBSERVED,
    RUNNING,
    SHUTDOWN,
    START_FIRST,
    STOP_FIRST,
    UPDATE_PAUSED,
    UPDATING,
    VERSION,
    WEB,
    runnable,
    still_running,
    with_field,
)


class Updater(Cluster):
    """A.11: one dirty slot at a time, waiting for its new task."""

    def dirty_slots(self, s: State) -> list[int]:
        """Slots whose updatable tasks (A.7) include one of an older spec than web's."""
        dirty = []
        for slot, tasks in sorted(self.slots(s).items()):
            current = [t for t in tasks if runnable(t)] or ([max(tasks)] if self.given_up(s, tasks) else [])
            if any(t[VERSION] != s.version for t in current):
                dirty.append(slot)
        return dirty

    def updater(self, s: State) -> Iterator[tuple[Step, State]]:
        """Parallelism 1: one dirty slot at a time (picked in Go map order: any), then wait for its
        new task to reach RUNNING or beyond; a failure pauses the update (MaxFailureRatio 0), also
        within the monitor window once it runs (updater.go failureTriggersAction). The window's
        end is a step (its 5 s are not modelled); the model watches the last slot's task only,
        and the next slot taken ends the watch of the one before."""
        if s.update != UPDATING:
            return
        if s.update_slot:
            yield from self.slot_updated(s)
            return
        pause = self.paused_by_failure(s, "failed within the monitor window")
        if pause is not None:
            yield pause
            return
        if s.update_task >= 0:
            yield Step("MonitorElapsed", task=s.update_task), s.evolve(update_task=-1)
        dirty = self.dirty_slots(s)
        if not dirty and s.update_task < 0:  # updater.go: one more monitor period before completing
            yield Step("UpdateDone"), s.evolve(update=IDLE)
        for slot in dirty:
            yield from self.update_slot(s, slot)

    def paused_by_failure(self, s: State, why: str) -> tuple[Step, State] | None:
        """FailureAction pause, with MaxFailureRatio 0: if the task the updater watches has ended
        (observed past RUNNING, or reaped after ending), the update pauses; None otherwise."""
        if s.update_task < 0 or "failure_action_ignored" in self.bugs:
            return None
        task = next((t for t in s.tasks if t[ID] == s.update_task), None)
        if task is not None and task[OBSERVED] <= RUNNING:
            return None
        paused = s.evolve(update=UPDATE_PAUSED, update_slot=0, update_task=-1)
        return Step("UpdatePaused", task=s.update_task, detail=why), paused

    def update_slot(self, s: State, slot: int) -> Iterator[tuple[Step, State]]:
        """The updater's worker: reuse a clean task already in the slot (the restart supervisor may
        have made one), else create one of the new spec; stop-first shuts the old one down now."""
        tasks = self.slots(s)[slot]
        clean = [t for t in tasks if runnable(t) and t[VERSION] == s.version]
        if clean:
            after = self.remove_old_tasks(s, slot, keep=clean[0][ID])
            yield Step("UpdateSlot", task=clean[0][ID], detail=f"slot {slot}, already on spec {s.version}"), after
            return
        if s.created >= self.config.max_tasks:
            return
        new_id = s.created
        if self.config.update_order == STOP_FIRST:  # DelayStart with waitStop: the old one stops first
            old = next((t for t in tasks if t[DESIRED] == RUNNING), None)  # updater.go: the running task
            waits = old is not None and still_running(old, s.status)
            after = self.new_task(s, WEB, slot, NO_NODE, old if waits else None)
            after = self.remove_old_tasks(after, slot, keep=new_id)
        else:
            after = self.new_task(s, WEB, slot, NO_NODE)
        after = after.evolve(update_slot=slot, update_task=new_id)
        yield Step("UpdateSlot", task=new_id, detail=f"slot {slot}, {self.config.update_order}"), after

    def slot_updated(self, s: State) -> Iterator[tuple[Step, State]]:
        """The new task reached RUNNING (start-first: now stop the old one; the task stays watched
        for its monitor window) or failed (pause)."""
        new = next((t for t in s.tasks if t[ID] == s.update_task), None)
        if new is not None and new[OBSERVED] < RUNNING:
            return  # no timeout: the updater waits (A.11)
        pause = self.paused_by_failure(s, "the new task failed")
        if pause is not None:
            yield pause
            return
        done = s.evolve(update_slot=0)  # the new task stays watched: the monitor window
        stops_old = "start_first_keeps_old_task" not in self.bugs
        if self.config.update_order == START_FIRST and new is not None and stops_old:  # the slot when its update began
            done = self.remove_old_tasks(done, s.update_slot, keep=new[ID], captured_before=new[ID])
        yield Step("SlotUpdated", task=s.update_task, detail=f"slot {s.update_slot}"), done

    def remove_old_tasks(self, s: State, slot: int, keep: int, captured_before: int | None = None) -> State:
        """removeOldTasks: every other runnable task of the slot gets desired SHUTDOWN. swarmkit's
        worker captures the slot's tasks when it takes the slot (updater.go updateTask(ctx, slot,
        ...)); start-first removes that list once the new task runs, so a replacement the restart
        supervisor made since (a newer id than the new task's) is not among them."""
        if "update_forgets_old_task" in self.bugs:
            return s
        for t in self.slots(s)[slot]:
            captured = captured_before is None or t[ID] < captured_before
            if t[ID] != keep and runnable(t) and captured:
                s = self.replace(s, with_field(t, DESIRED, SHUTDOWN))
        return s
