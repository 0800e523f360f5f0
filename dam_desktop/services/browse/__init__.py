"""What the grid lists: ids in order, tile facts, the start-up read."""
