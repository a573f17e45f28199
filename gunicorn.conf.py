"""gunicorn settings, read automatically when gunicorn starts in this folder (`make serve` does).

Every worker writes its /metrics counts into one shared folder (prometheus_client's multiprocess mode), so a
scrape answered by any worker reports the whole server. PROMETHEUS_MULTIPROC_DIR names the folder; without it a
fresh one is made for this server. Counts of a previous run are wiped at start, and a worker's live gauges
are dropped when it exits.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_MADE_HERE = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _MADE_HERE = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="survey-metrics-")


def on_starting(server: object) -> None:
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:
    if _MADE_HERE:
        shutil.rmtree(_MADE_HERE, ignore_errors=True)
