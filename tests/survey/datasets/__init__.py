"""Small, fully known data sets shared by tests in several folders, and readers for what the product writes."""
