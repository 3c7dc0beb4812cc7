"""Independent runs on every core (`check`'s configurations, `bugs`' hunts). Workers are
spawned, not forked: a fork copies whatever locks the caller's other threads hold (a test
run's, a plugin's), and a worker forked with one held never starts. Ctrl-C is the parent's:
it ends the workers at once, and they write nothing after it; a worker whose parent dies is
ended with it."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Generator, Sequence
from multiprocessing.pool import Pool
from types import FrameType
from typing import TypeVar

from swarmcheck import registry

PR_SET_PDEATHSIG = 1  # linux/prctl.h

Asked = TypeVar("Asked")
Answer = TypeVar("Answer")


def in_order(
    work: Callable[[Asked], Answer], asked: Sequence[Asked], processes: int, user_models: Sequence[str] = ()
) -> Generator[Answer, None, None]:
    """`work` on each item in worker processes, the answers yielded in the items' order. On
    Ctrl-C (or when the caller stops early) the workers are ended at once."""
    pool: Pool = multiprocessing.get_context("spawn").Pool(
        processes=max(1, min(processes, len(asked))), initializer=_worker_starts, initargs=(tuple(user_models),)
    )
    try:
        answers = pool.imap(work, asked)
        for _ in asked:
            yield _next(answers)
    except BaseException:  # Ctrl-C, or the caller stopped early (GeneratorExit)
        pool.terminate()  # SIGTERM: each worker stops where it is
        pool.join()
        raise
    pool.close()
    pool.join()


def _next(answers: multiprocessing.pool.IMapIterator[Answer]) -> Answer:
    """The next answer, waiting in short slices: an untimed wait in the main thread may never
    wake for Ctrl-C when the signal is delivered to one of the pool's helper threads."""
    while True:
        try:
            return answers.next(timeout=0.2)
        except multiprocessing.TimeoutError:
            continue


def _worker_starts(user_models: tuple[str, ...]) -> None:
    """In each worker: the users' models loaded (a spawned worker starts afresh); Ctrl-C is the
    parent's to handle; SIGTERM ends the worker at once; and it gets SIGTERM if the parent
    dies (Linux)."""
    for spec in user_models:
        registry.load_user_model(spec)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if sys.platform.startswith("linux"):  # elsewhere (no prctl) the pool's own cleanup remains
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    """Leave at once. Unwinding is no option: a Hypothesis run catches any exception raised
    inside it and replays the example; and a normal exit would wait to flush a result queue
    that nobody reads any more. No report is ever half written: each appears by an atomic
    rename (a kill in the middle of one may leave a hidden .tmp beside them)."""
    os._exit(128 + signum)
