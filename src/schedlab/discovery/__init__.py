"""Rule discovery: genetic programming over priority-rule expressions."""
