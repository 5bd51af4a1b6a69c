"""schemas wing."""
