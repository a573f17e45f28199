"""Demo data and demo mode: a believable catalog, responses and links to try the service with."""
