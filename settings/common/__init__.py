"""What every settings section shares: the base model, value types (addresses, GUIDs, versions),
Kubernetes and Azure name rules, how the raw config bag is read, and how problems are worded."""
