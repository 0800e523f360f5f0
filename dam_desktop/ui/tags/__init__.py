"""Manual tags in the window: editor, manager, sidebar."""
