"""Sentence search and Find Similar in the window."""
