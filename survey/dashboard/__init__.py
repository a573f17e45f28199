"""The officials' dashboard."""
