"""Shared server code without HTTP: domain errors, the vocabulary of the product."""
