"""Paper survey sheets: printing sheets with one-time codes, keying them in, undoing the last one keyed."""
