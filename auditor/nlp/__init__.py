"""auditor for NLP users: a spaCy pipeline component that marks auditor's numeric claims.

Importing this package does not import spaCy; :mod:`auditor.nlp.spacy_component` does (only the
``auditor_claims`` component and ``auditor claims --format spacy`` need it).
"""
