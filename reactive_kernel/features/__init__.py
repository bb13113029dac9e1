"""Kernel features beside the adapter: widgets, cached cells and output recording, %%sql, kept values."""
