"""The library's files: the content-addressed store, stored paths, the trash."""
