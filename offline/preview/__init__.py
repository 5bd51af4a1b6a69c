"""preview wing."""
