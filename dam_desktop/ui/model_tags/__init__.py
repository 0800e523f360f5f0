"""Reviewing the tags a model proposed."""
