"""The files stage: find specs, write outputs whole, keep a manifest, render batches."""
