"""The duplicate review view: near-duplicate groups side by side, with keep-best and undo."""
