"""One action run by many threads at the same moment: the PostgreSQL tests of races (row locks,
constraints, numbering)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_at_once(action: Callable, arguments: Sequence[tuple], *, timeout: float = 60) -> list[BaseException]:
    """Calls action(*args) for each args in a thread of its own, all released together by a barrier,
    and returns what they raised. Each thread closes its own database connection when done."""
    barrier = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def run(args: tuple) -> None:
        try:
            barrier.wait(timeout=30)
            action(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
