"""Preferences: how the window looks and behaves, kept in the user's settings."""
