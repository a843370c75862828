"""auditor: a consistency auditor for Chinese government performance self-evaluation reports.

``auditor.audit(paths, references=...)`` audits files and folders and returns the ranked Batch (the
objects ``auditor check --format json`` serialises); see auditor.batch.audit.
"""

from auditor._version import __version__  # noqa: F401


def __getattr__(name: str):
    if name == "audit":  # imported lazily: `import auditor.errors` stays cheap
        from auditor.batch import audit

        return audit
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")
