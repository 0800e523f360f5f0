"""Model-proposed tags: runs over markers, proposals and their review."""
