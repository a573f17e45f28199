"""Every satisfaction figure: one filter, one read of the rollups, targets, and the tables built on them."""
