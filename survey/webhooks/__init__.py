"""Admin pages for webhooks: register an endpoint (its secret shown once), turn it off, read every try."""
