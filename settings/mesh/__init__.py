"""Cilium ClusterMesh: the cluster identity every stack sets (`identity`), a fleet member's mesh
section (`member`), and the members read from their stack files with the rules across them (`fleet`).

Import from the modules: `settings.cilium` needs `identity`, and `fleet` needs `settings.cilium`."""
