"""Headless runs: the dependency-order executor, nbconvert exporters, notebook files on disk."""
