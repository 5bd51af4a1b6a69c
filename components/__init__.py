"""The aks-cilium components: one module per concern, composed by `platform.AksCiliumPlatform`."""
