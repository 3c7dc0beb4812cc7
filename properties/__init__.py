"""What must hold, one module a protocol; the shared vocabulary is in `base`."""
