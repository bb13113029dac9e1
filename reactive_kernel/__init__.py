"""A reactive Python kernel for Jupyter: cells re-run when what they read changes."""

__version__ = "0.1.0"
