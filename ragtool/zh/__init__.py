"""Chinese text layer."""
