"""Import: walk what the user dropped, hash, dedupe, store, probe, record."""
