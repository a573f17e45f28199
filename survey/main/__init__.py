"""Pages that belong to no audience in particular: landing page and health check."""
