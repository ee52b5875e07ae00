"""analysis: see the Layout section of the README."""
