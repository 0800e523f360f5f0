"""Viewing: the Quick Look-style preview overlay (Space) and the full-screen viewer (F11)."""
