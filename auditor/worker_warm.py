"""Imported once by the fork server that starts the batch's worker processes (see
:func:`auditor.batch.run_batch`): the pipeline is imported and its caches (jieba's dictionary, the
rule registry, compiled patterns) are warmed there, so every worker forks ready to audit and
shares those pages with its siblings instead of loading its own copy."""

from auditor.batch import _prepare_worker

_prepare_worker()
