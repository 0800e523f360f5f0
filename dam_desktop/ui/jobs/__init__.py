"""Background jobs the window shows: imports and other long runs, their panels and reports."""
