"""Operator errors in every Dagster step as one German line, wherever the run started.

`sozialmonitor run` turns a full disk, a missing permission or a DuckDB file held open into
one German line (`pipelines.operator`). A job started from the UI, a sensor or a schedule
showed the raw error instead: a DuckDB or SQLite traceback in English. Each asset body is
wrapped so that an error `operator.explain` recognises fails the step as a `dg.Failure`
with that line as its description; anything else stays an error with its traceback (a bug
to report).
"""

from __future__ import annotations

import functools
import inspect

import dagster as dg

from pipelines.operator import explain


def _failure(exc: BaseException) -> dg.Failure | None:
    from pipelines.config import ConfigError
    from pipelines.protection.pseudonym import MissingKeyError
    from pipelines.warehouse.lock import WarehouseBusy

    if isinstance(exc, dg.Failure):
        return None
    # errors whose own message is the German line an operator needs (key, lock, config)
    msg = str(exc) if isinstance(exc, (WarehouseBusy, MissingKeyError, ConfigError)) else None
    msg = msg or explain(exc)
    return None if msg is None else dg.Failure(description=msg, allow_retries=False)


def operator_errors(fn):
    """Decorator for asset functions (plain or generator)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                failure = _failure(exc)
                if failure is None:
                    raise
                raise failure from None

        return gen

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            failure = _failure(exc)
            if failure is None:
                raise
            raise failure from None

    return plain
