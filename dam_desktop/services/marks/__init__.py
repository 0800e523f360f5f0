"""Ratings, colour labels, pick/reject flags, notes and source URLs (`marks_service`)."""
