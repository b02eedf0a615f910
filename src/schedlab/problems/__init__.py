"""Problem classes mapped onto the general model, and their file formats."""
