"""Bug-finding power: how many realistic one-line faults the main job catches unaided.

Each fault below is a one-line change to a model's source that mimics a bug some real
implementation had, written here (not a seeded bug: no flag, no property told about it).
For each, the tool copies the project to a temporary folder, applies the change (the
original text must occur exactly once), runs `swarmcheck check MODEL` there on the main
job's configurations, and counts the fault caught when the run fails (exit code 1). A fault
whose text no longer matches is reported as stale, never silently skipped.

Run: python bench/mutants.py [MODEL ...] [--jobs N]. Prints a table and the share caught
per model; exits 1 if a fault's text is stale.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class Fault(NamedTuple):
    model: str
    name: str
    file: str
    original: str
    mutated: str
    mimics: str


H, M, S = "model/raft/handlers.py", "model/raft/model.py", "model/raft/state.py"
FAULTS = [
    Fault(
        "raft",
        "prev_term_ignored",
        H,
        "log_ok = prev_index == 0 or (0 < prev_index <= len(log) and log[prev_index - 1][0] == prev_term)",
        "log_ok = prev_index == 0 or (0 < prev_index <= len(log))",
        "AppendEntries consistency check without prevLogTerm (Raft Fig. 2 AppendEntries rule 2)",
    ),
    Fault(
        "raft",
        "prev_index_unchecked",
        H,
        "log_ok = prev_index == 0 or (0 < prev_index <= len(log) and log[prev_index - 1][0] == prev_term)",
        "log_ok = prev_index == 0 or (prev_index > len(log) or log[prev_index - 1][0] == prev_term)",
        "a follower missing the entry at prevLogIndex accepts (hashicorp/raft's early log-gap bug class)",
    ),
    Fault(
        "raft",
        "vote_length_before_term",
        S,
        "return m_last_term > my_last or (m_last_term == my_last and m_last_index >= len(log))",
        "return m_last_index > len(log) or (m_last_index == len(log) and m_last_term >= my_last)",
        "up-to-date check compares log length before last term (Raft §5.4.1)",
    ),
    Fault(
        "raft",
        "vote_ignores_length",
        S,
        "return m_last_term > my_last or (m_last_term == my_last and m_last_index >= len(log))",
        "return m_last_term >= my_last",
        "up-to-date check on the last term only (Raft §5.4.1)",
    ),
    Fault(
        "raft",
        "vote_for_anyone_again",
        H,
        "grant = mterm == s.term[i] and log_ok and s.voted_for[i] in (NIL, j)",
        "grant = mterm == s.term[i] and log_ok",
        "a server votes twice in one term (Raft Fig. 2 RequestVote rule 2)",
    ),
    Fault(
        "raft",
        "vote_in_any_term",
        H,
        "grant = mterm == s.term[i] and log_ok and s.voted_for[i] in (NIL, j)",
        "grant = mterm <= s.term[i] and log_ok and s.voted_for[i] in (NIL, j)",
        "a vote granted to an older term's candidate (Raft Fig. 2 RequestVote rule 1)",
    ),
    Fault(
        "raft",
        "commit_any_term_entry",
        M,
        'if log[index - 1][0] == s.term[i] or "figure8" in self.bugs:',
        'if log[-1][0] == s.term[i] or "figure8" in self.bugs:',
        "the current-term rule applied to the last entry, not the one committed (Raft §5.4.2, Fig. 8)",
    ),
    Fault(
        "raft",
        "commit_without_quorum_self",
        M,
        "            agree = 1 << i\n",
        "            agree = 0\n",
        "the leader does not count itself toward the commit quorum (etcd-io/raft maybeCommit class)",
    ),
    Fault(
        "raft",
        "match_index_kept_on_election",
        M,
        "match_index=put(s.match_index, i, (0,) * self.n),",
        "match_index=s.match_index,",
        "matchIndex not reset when a new term's leadership begins (Raft Fig. 2 'reinitialized after election')",
    ),
    Fault(
        "raft",
        "next_index_not_reset_on_election",
        M,
        "next_index=put(s.next_index, i, (len(s.log[i]) + 1,) * self.n),",
        "next_index=s.next_index,",
        "nextIndex not reinitialized after election (Raft Fig. 2)",
    ),
    Fault(
        "raft",
        "follower_commit_unbounded",
        H,
        "            commit = max(m_commit, s.commit_index[i]) if self.config.swarm else m_commit",
        "            commit = max(m_commit, len(log))",
        "a follower commits past what the leader said is committed (Raft Fig. 2 AppendEntries rule 5)",
    ),
    Fault(
        "raft",
        "back_off_to_zero",
        H,
        "next_row = put(s.next_index[i], j, max(s.next_index[i][j] - backoff, 1))",
        "next_row = put(s.next_index[i], j, s.next_index[i][j] - backoff)",
        "nextIndex decremented below 1 on a rejection (Raft §5.3)",
    ),
    Fault(
        "raft",
        "match_index_from_request_length",
        H,
        "reply = (AE_RESP, term, i, j, 1, prev_index + len(entries))",
        "reply = (AE_RESP, term, i, j, 1, len(log))",
        "the success reply reports the follower's whole log as matching (Raft §5.3; a known etcd pitfall)",
    ),
    Fault(
        "raft",
        "step_down_forgotten",
        H,
        "            role=put(s.role, i, FOLLOWER),\n            voted_for=put(s.voted_for, i, NIL),",
        "            voted_for=put(s.voted_for, i, NIL),",
        "a leader that sees a newer term keeps leading (Raft Fig. 2 'All Servers' rule 2)",
    ),
    Fault(
        "raft",
        "leader_on_any_vote",
        M,
        "            if self.has_quorum(s, i, s.votes_granted[i]) if swarm else self._quorum[s.votes_granted[i]]:",
        "            if s.votes_granted[i]:",
        "a candidate becomes leader on any vote, not a majority (Raft §5.2)",
    ),
    Fault(
        "raft",
        "refusals_counted_as_votes",
        M,
        "            if self.has_quorum(s, i, s.votes_granted[i]) if swarm else self._quorum[s.votes_granted[i]]:",
        "            if self.has_quorum(s, i, s.votes_responded[i]) if swarm else self._quorum[s.votes_responded[i]]:",
        "responses counted as votes whether granted or not (a vote-tally bug class)",
    ),
    Fault(
        "raft",
        "old_votes_kept_on_timeout",
        M,
        "            votes_responded=put(s.votes_responded, i, 0),\n            votes_granted=put(s.votes_granted, i, 0),\n        )\n\n    def restart",
        "            votes_responded=put(s.votes_responded, i, 0),\n        )\n\n    def restart",
        "votes from an earlier election count in the next (Raft §5.2: votes are per term)",
    ),
    Fault(
        "raft",
        "stale_responses_counted",
        H,
        "        if mterm < term:\n            return DropStaleResponse(m)",
        "        if mterm < term and kind == AE_RESP:\n            return DropStaleResponse(m)",
        "a vote from an older term's election is tallied (Raft Fig. 2: ignore stale responses)",
    ),
    Fault(
        "raft",
        "prev_term_is_current_term",
        M,
        "prev_term = log[prev_index - 1][0] if prev_index > 0 else 0",
        "prev_term = s.term[i] if prev_index > 0 else 0",
        "the leader sends its current term as prevLogTerm (Raft §5.3)",
    ),
    Fault(
        "raft",
        "leader_commit_not_capped",
        M,
        "else min(s.commit_index[i], last_entry)",
        "else s.commit_index[i]",
        "leaderCommit sent beyond the entries sent, so a follower commits what it may not hold (Raft Fig. 2 AppendEntries rule 5)",
    ),
    Fault(
        "raft",
        "commit_without_majority",
        M,
        "            if self.has_quorum(s, i, agree) if swarm else self._quorum[agree]:",
        "            if agree:",
        "an entry committed once any server holds it (Raft §5.3)",
    ),
    Fault(
        "raft",
        "vote_kept_on_new_term",
        H,
        "            role=put(s.role, i, FOLLOWER),\n            voted_for=put(s.voted_for, i, NIL),",
        "            role=put(s.role, i, FOLLOWER),",
        "votedFor not cleared when a newer term is seen (Raft Fig. 2 'All Servers' rule 2)",
    ),
    Fault(
        "raft",
        "restart_keeps_role",
        M,
        "            term=term,\n            role=put(s.role, i, FOLLOWER),",
        "            term=term,",
        "a restarted leader or candidate resumes its role (Raft Fig. 2: volatile state is lost)",
    ),
    Fault(
        "raft",
        "conflict_keeps_entry",
        H,
        "return s_with(s, log=put(s.log, i, log[:-1]))",
        "return None",
        "a conflicting entry is never removed (Raft Fig. 2 AppendEntries rule 3)",
    ),
]


def stale(faults: list[Fault]) -> list[Fault]:
    """The faults whose original text no longer occurs exactly once in the project."""
    return [f for f in faults if (ROOT / f.file).read_text().count(f.original) != 1]


def run_one(fault: Fault) -> tuple[Fault, str]:
    """The fault applied to a copy of the project; "caught", "missed" or "stale"."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as scratch:
        copy = Path(scratch)
        for part in ("model", "properties", "swarmcheck"):
            shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        target = copy / fault.file
        text = target.read_text()
        if text.count(fault.original) != 1:
            return fault, "stale"
        target.write_text(text.replace(fault.original, fault.mutated))
        run = subprocess.run(
            [sys.executable, "-m", "swarmcheck", "check", fault.model, "--quiet", "--reports", str(copy / "reports")],
            cwd=copy,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(copy)},
        )
        return (
            fault,
            "caught" if run.returncode == 1 else "missed" if run.returncode == 0 else f"error {run.returncode}",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stale", action="store_true", help="only check that every fault's text still matches once")
    args = parser.parse_args()
    chosen = [f for f in FAULTS if not args.models or f.model in args.models]
    if args.stale:
        for fault in stale(chosen):
            print(f"stale: {fault.model} {fault.name}: its text no longer occurs exactly once in {fault.file}")
        return 1 if stale(chosen) else 0
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_one, chosen))
    print(f"{'model':8} {'fault':34} {'verdict':8} mimics")
    for fault, verdict in results:
        print(f"{fault.model:8} {fault.name:34} {verdict:8} {fault.mimics}")
    print()
    for model in sorted({f.model for f in chosen}):
        mine = [v for f, v in results if f.model == model]
        print(f"{model}: {mine.count('caught')} of {len(mine)} caught")
    return 1 if any(v == "stale" for _, v in results) else 0


if __name__ == "__main__":
    sys.exit(main())
