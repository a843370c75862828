"""The ``auditor_claims`` spaCy component: auditor's numeric claims as ``doc.spans["claims"]``.

    import spacy
    import auditor.nlp.spacy_component  # registers the factory (also found through the entry point)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("auditor_claims")
    doc = nlp(text)
    for span in doc.spans["claims"]:
        span.text, span._.value, span._.unit, span._.qualifier, span._.subject, span._.role

The component reads ``doc.text`` as auditor reads a report (:func:`auditor.readers.text.build_document`:
TAB-led lines are table cells, so give it the text of ``auditor text FILE``), extracts the claims with
auditor's claims (``Analysis.claims``) and adds one span per claim. A claim's boundaries need
not fall on jieba's token boundaries ("1400多人次" may be one word): the tokens are split there first,
so every span covers exactly the claim's characters. The attributes are Span extensions, which
spaCy keeps in ``doc.user_data``: they travel in a :class:`spacy.tokens.DocBin` made with
``store_user_data=True`` (:func:`claims_docbin`), as long as this module is imported before the
DocBin is read back.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

SPAN_KEY = "claims"
SPAN_LABEL = "CLAIM"
# value: the number as auditor's claims JSON gives it (int or float); where: narrative | table
ATTRIBUTES = ("value", "unit", "qualifier", "scale", "subject", "role", "where")


def register_extensions() -> None:
    """Declare the Span attributes (idempotent)."""
    for name in ATTRIBUTES:
        Span.set_extension(name, default=None, force=True)


register_extensions()


class AuditorClaims:
    """Sets ``doc.spans["claims"]``: one span per claim of auditor's claims extractor."""

    def __call__(self, doc: Doc) -> Doc:
        from auditor.analysis import Analysis
        from auditor.readers.text import build_document

        claims = [c.to_dict() for c in Analysis(build_document(doc.text, "<spacy>")).claims]
        _split_at(doc, {offset for c in claims for offset in (c["start"], c["end"])})
        spans = []
        for claim in claims:
            span = doc.char_span(claim["start"], claim["end"], label=SPAN_LABEL)
            if span is None:  # cannot happen after the split; never guess a wider span
                continue
            for name in ATTRIBUTES:
                setattr(span._, name, claim[name])
            spans.append(span)
        doc.spans[SPAN_KEY] = spans
        return doc


def _split_at(doc: Doc, offsets: set[int]) -> None:
    """Split every token that one of ``offsets`` falls inside, so that each offset is a token boundary."""
    cuts_of: list[tuple[Any, list[int]]] = []
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        cuts = sorted(o - start for o in offsets if start < o < end)
        if cuts:
            cuts_of.append((token, cuts))
    if not cuts_of:
        return
    with doc.retokenize() as retokenizer:
        for token, cuts in cuts_of:
            bounds = [0, *cuts, len(token.text)]
            orths = [token.text[a:b] for a, b in zip(bounds, bounds[1:])]
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


@Language.factory("auditor_claims")
def make_auditor_claims(nlp: Language, name: str) -> AuditorClaims:
    return AuditorClaims()


def make_nlp() -> Language:
    """``spacy.blank("zh")`` with spaCy's jieba segmenter, then the ``auditor_claims`` component."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("auditor_claims")
    return nlp


def claims_docbin(texts: list[str], nlp: Language | None = None) -> DocBin:
    """A DocBin of the claim-annotated docs of ``texts`` (user data kept: the span attributes)."""
    nlp = nlp or make_nlp()
    docbin = DocBin(store_user_data=True)
    for doc in nlp.pipe(texts):
        docbin.add(doc)
    return docbin
