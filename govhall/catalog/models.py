"""§2 Service item catalogue (to be built by the catalogue issue)."""
