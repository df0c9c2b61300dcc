"""The staff register: citizen IDs, training, certificates and staff statistics."""
