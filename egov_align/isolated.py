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


def _work(paths: list[str], config: Config, sender) -> None:
    from egov_align.analyze import analyze

    try:
        found = discover(paths)
        loaded = load(found.sources, max_bytes=config.max_file_bytes, cache=None, jobs=1, notices=found.notices,
                      policies=config.policy_names)
        result = analyze(loaded.model, config=config) if loaded.valid else None
        sender.send(("ok", Analysed(loaded, result, os.getpid())))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which shows one line
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


def analyse_isolated(paths: list[str], config: Config, *, timeout: float = DEFAULT_TIMEOUT) -> Analysed:
    """Load and analyse in a fresh worker process; AnalysisTimeout after `timeout` seconds."""
    context = multiprocessing.get_context("spawn")  # no copy of the server's threads or memory
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(paths, config, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise AnalysisTimeout(f"the analysis took longer than {timeout:g} seconds and was stopped")
        status, payload = receiver.recv()
    except EOFError:
        raise RuntimeError("the analysis worker ended without an answer") from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join(5)
    if status != "ok":
        raise RuntimeError(payload)
    return payload
