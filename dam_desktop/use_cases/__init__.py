"""Use cases: one `async def` per user action, run on the world side (the world thread).

The window (through `WorldClient.call`) and the CLI call only these; neither opens a session.
Each use case takes the `World` first, owns its transaction (opens a session, commits once) and,
after the commit, tells the world what changed with `world.notify_changed(WorldChanged.of(...))`,
so the grid, the sidebar counts and the inspector refresh from that event rather than from calls
wired by hand after each action. Results are plain values (dataclasses, ints, lists, numpy id
arrays), never ORM rows, because they cross to the GUI thread.
"""
