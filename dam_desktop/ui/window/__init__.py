"""The main window: composition, menus, sidebar, context menu and its actions."""
