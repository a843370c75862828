"""Readers turn a file into a Document. They never judge its content."""
