"""Azure service-tag files and the CIDR groups made from them (pure functions, no resources)."""
