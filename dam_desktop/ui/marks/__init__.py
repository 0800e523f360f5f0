"""Marks people manage by hand: ratings, colour labels, pick/reject, notes and source URLs."""
