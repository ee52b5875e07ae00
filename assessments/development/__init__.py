"""Development: the training catalogue and individual development plans."""
