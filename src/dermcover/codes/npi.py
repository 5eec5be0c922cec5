"""National Provider Identifier check digit (Luhn over the number with the 80840 prefix)."""

from __future__ import annotations

# The NPI check digit is the Luhn digit of the 9-digit base prefixed by the card-issuer
# identifier 80840; adding the prefix's fixed contribution (24) is the documented shortcut.
_PREFIX_SUM = 24


def npi_is_valid(npi: str) -> bool:
    """True when `npi` is ten digits whose last digit is the Luhn check digit."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = _PREFIX_SUM
    for position, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    check = (10 - total % 10) % 10
    return check == int(npi[9])
