"""Pages of the case engine. ``portal`` modules serve the applicant (申办, 我的办件)."""
