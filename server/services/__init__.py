"""Orchestration: what combines several repositories, the domain core and reports."""
