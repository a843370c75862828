"""Imported once by the fork server that starts the batch's worker processes when they cannot be forked
from the batch's own process (another thread runs there), and the workers that replace them (see
:class:`auditor.runner.executors.ProcessExecutor`): the pipeline is imported and its caches (jieba's
dictionary, the rule registry, compiled patterns) are warmed there, so every worker forks ready to audit
and shares those pages with its siblings instead of loading its own copy.

jieba's dictionary is loaded whole here, not read lazily from its index as for one file: loaded once
in the fork server, it costs the workers nothing, they segment at the plain dict's speed, and none
of them ever loads a private copy (a lazy table switches to the whole dictionary after many reads)."""

try:
    from auditor.nlp.jieba_dict import use_full_dictionary

    use_full_dictionary()
    from auditor.runner.worker import _prepare_worker

    _prepare_worker()
except Exception:  # noqa: BLE001 - the fork server must start regardless; each worker then warms itself
    pass
