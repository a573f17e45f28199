"""Call-back requests: contacts citizens leave with consent, each office's queue, and marking a request handled."""
