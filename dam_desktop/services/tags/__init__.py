"""Manual tags: concepts, links, aliases, parents, saved searches."""
