"""Real notebooks from public repositories, and what the corpus test needs to read them."""
