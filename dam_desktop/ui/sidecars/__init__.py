"""Library › Write Tags to Sidecars: the dialog, its job and how it is wired into the window."""
