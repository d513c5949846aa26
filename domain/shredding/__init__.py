"""Crypto-shredding: private fields encrypted at rest with per-stream keys kept apart from the
events; forget destroys the key, so every earlier copy of the private data becomes unreadable."""
