"""Help: the keyboard shortcuts sheet and About (versions and licences)."""
