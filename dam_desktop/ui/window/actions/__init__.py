"""Context-menu actions, one module per theme; each exports `ACTIONS: list[AssetAction]`."""
