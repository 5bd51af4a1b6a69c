"""Deployed state files: reading a `pulumi stack export` (versions, features, state flags,
encodings) and writing the plan's own `state.json` in the same format."""
