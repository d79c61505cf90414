"""Secret tokens handed to people or clients: random, shown once, stored only as a hash."""

import hashlib
import secrets


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # The tokens carry 256 bits of randomness, so a fast hash is enough: no guessing to slow down.
    return hashlib.sha256(token.encode()).hexdigest()
