"""Synthetic, labelled corpora of yearly performance self-evaluation reports (see README.md)."""
