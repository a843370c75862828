"""The batch runner's parts that stand apart from the per-document engine (see :mod:`auditor.batch`)."""
