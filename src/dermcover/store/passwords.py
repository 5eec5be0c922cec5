"""Staff passwords: what is strong enough, and argon2id hashes of them.

The rule follows NIST SP 800-63B: length matters, composition rules do not. A password needs at
least 12 characters, must not be one character repeated, nor the email address or its name part.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dermcover.inputs import InputError

MIN_LENGTH = 12
MAX_LENGTH = 256  # hashing is deliberately slow; an enormous password would be a cheap attack

_hasher = PasswordHasher()


@cache
def _no_such_user_hash() -> str:
    """Checked against when the email is unknown, so that signing in with an unknown email costs
    the same time as a wrong password. Hashed on first use, not at import: importing the store
    must not cost a deliberately slow hash."""
    return _hasher.hash("no such user: this hash never matches a real password")


def check_strength(password: str, email: str) -> None:
    """Raise an InputError, naming the rule, unless `password` is fit for a staff account."""
    if not password.strip():
        raise InputError("password: is empty; it needs at least 12 characters")
    if len(password) < MIN_LENGTH:
        raise InputError(
            f"password: is {len(password)} characters long; it needs at least {MIN_LENGTH}"
        )
    if len(password) > MAX_LENGTH:
        raise InputError(f"password: is longer than {MAX_LENGTH} characters")
    if len(set(password)) == 1:
        raise InputError("password: is one character repeated; choose one that is hard to guess")
    lowered = password.lower()
    if lowered in {email.lower(), email.split("@")[0].lower()}:
        raise InputError("password: is the email address; choose one that is hard to guess")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Does `password` match the hash? With no hash (no such user) the same work is done."""
    try:
        return _hasher.verify(password_hash or _no_such_user_hash(), password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
