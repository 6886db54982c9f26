"""Load and analyse a model in a worker process, with a time limit: for models visitors bring.

The dashboard serves many sessions from one process. A visitor's upload could be large or
built to be slow; analysing it in a separate process keeps the server's interpreter free for
everyone else, and a time limit ends the worker (and says so) instead of tying up the server.
Only our own objects travel back over the pipe between the two processes.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass

from egov_align.config import Config
from egov_align.loader import LoadResult, discover, load
from egov_align.results import Result

DEFAULT_TIMEOUT = float(os.environ.get("EGOV_ALIGN_ANALYSIS_TIMEOUT", "300"))


class AnalysisTimeout(Exception):
    """The worker did not finish in time and was stopped."""


@dataclass
class Analysed:
    loaded: LoadResult
    result: Result | None
    worker_pid: int


def _loaded_and_analysed(paths: list[str], config: Config) -> Analysed:
    from egov_align.analyze import analyze

    found = discover(paths)
    loaded = load(found.sources, max_bytes=config.max_file_bytes, cache=None, jobs=1, notices=found.notices,
                  policies=config.policy_names)
    result = analyze(loaded.model, config=config) if loaded.valid else None
    return Analysed(loaded, result, os.getpid())


def analyse_isolated(paths: list[str], config: Config, *, timeout: float = DEFAULT_TIMEOUT) -> Analysed:
    """Load and analyse in a fresh worker process; AnalysisTimeout after `timeout` seconds."""
    try:
        return in_own_process(_loaded_and_analysed, paths, config, timeout=timeout)
    except TimeoutError:
        raise AnalysisTimeout(f"the analysis took longer than {timeout:g} seconds and was stopped") from None
    except Ended:
        raise RuntimeError("the analysis worker ended without an answer") from None


class Ended(Exception):
    """The process ended without an answer (killed, out of memory, stopped): `exitcode` says how."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"exit code {exitcode}")
        self.exitcode = exitcode


def in_own_process(target, *args, timeout: float | None = None, name: str | None = None,
                   lower_priority: bool = False):
    """target(*args) in a process of its own; its value, or RuntimeError with its exception's type
    and message. TimeoutError after `timeout` seconds (the process is stopped); Ended when it ends
    without an answer.

    Started afresh ("spawn": no copy of the server's threads, one of which may hold a lock the copy
    would wait on for ever, nor of its memory) and daemonic (stopped with the server, never waited
    for); `lower_priority`: background work, after the server's pages on the cores they share.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_answer, args=(sender, target, args, lower_priority), daemon=True, name=name)
    worker.start()
    sender.close()
    try:
        if timeout is not None and not receiver.poll(timeout):
            raise TimeoutError
        status, payload = receiver.recv()
    except EOFError:
        worker.join(5)
        raise Ended(worker.exitcode) from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join(5)
    if status != "ok":
        raise RuntimeError(payload)
    return payload


def _answer(sender, target, args: tuple, lower_priority: bool) -> None:
    if lower_priority and hasattr(os, "nice"):
        os.nice(10)
    try:
        sender.send(("ok", target(*args)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which says it in one line
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
