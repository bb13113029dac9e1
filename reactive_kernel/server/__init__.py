"""The server side: the contents manager serving `.py` notebooks, pairing, safe saves, its extension."""
