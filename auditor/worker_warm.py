"""Imported once by the fork server that starts the batch's worker processes (see
:func:`auditor.batch.run_batch`): the pipeline is imported and its caches (jieba's dictionary, the
rule registry, compiled patterns) are warmed there, so every worker forks ready to audit and
shares those pages with its siblings instead of loading its own copy."""

try:
    from auditor.runner.worker import _prepare_worker

    _prepare_worker()
except Exception:  # noqa: BLE001 - the fork server must start regardless; each worker then warms itself
    pass
