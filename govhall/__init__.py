"""govhall: an online government service hall (网上办事大厅)."""
