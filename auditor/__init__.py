"""auditor: a consistency auditor for Chinese government performance self-evaluation reports."""

__version__ = "0.1.0"
