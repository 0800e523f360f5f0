"""Checking for missing files and relinking them in the window."""
