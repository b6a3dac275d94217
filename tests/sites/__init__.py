"""Small docs sites the integration tests build with the real tools, and their helpers."""
