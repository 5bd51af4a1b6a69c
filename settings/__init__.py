"""Stack settings: every config key of the project, parsed and validated once (see stack.py)."""
