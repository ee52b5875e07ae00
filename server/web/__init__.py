"""web: see the Layout section of the README."""
