"""Where orders may be shipped: the countries in DELIVERY_COUNTRIES, less the places inside them
that are outside the EU (or UK) VAT area, told apart by postcode.

The bot refuses such addresses first (actions/parsing.py); this is the backend's own rule, so an
API client or a bot bug can't place or move an order to New York or Las Palmas. It runs in the
use cases, not as a validator on `Address`: the settings belong to the app, not the schema."""
from __future__ import annotations

import re

from backend.core.config import Settings
from backend.errors import DomainError, ErrorCode
from backend.orders.schemas import Address

# Per country: postcode (upper case, without spaces or dashes) → the place it belongs to.
_EXCLUDED_AREAS: dict[str, list[tuple[re.Pattern[str], str]]] = {
    country: [(re.compile(pattern), area) for pattern, area in areas]
    for country, areas in {
        "ES": [(r"3[58]\d{3}", "the Canary Islands"), (r"51\d{3}", "Ceuta"),
               (r"52\d{3}", "Melilla")],
        "FR": [(r"9[78]\d{3}", "France's overseas departments and territories")],
        "FI": [(r"(?:AX)?22\d{3}", "Åland")],
        "GB": [(r"GX\d.*", "Gibraltar"), (r"JE\d.*", "Jersey"), (r"GY\d.*", "Guernsey")],
        "DE": [(r"27498", "Heligoland"), (r"78266", "Büsingen")],
        "IT": [(r"22061", "Campione d'Italia"), (r"23041", "Livigno")],
        "GR": [(r"63086", "Mount Athos")],
    }.items()
}


class AddressNotServed(DomainError):
    status = 422
    code = ErrorCode.ADDRESS_NOT_SERVED


def excluded_area(country: str, postal_code: str) -> str | None:
    """The place outside the VAT area this postcode of `country` is in ("the Canary Islands"), or
    None."""
    compact = re.sub(r"[\s-]", "", postal_code.upper())
    return next((area for pattern, area in _EXCLUDED_AREAS.get(country, ())
                 if pattern.fullmatch(compact)), None)


def check_served(settings: Settings, address: Address) -> None:
    """Raises AddressNotServed for an address we don't deliver to; call it before any write."""
    served = settings.delivery_countries
    if address.country not in served:
        raise AddressNotServed(
            f"We don't deliver to country {address.country}. "
            f"We deliver to: {', '.join(sorted(served))}.",
            country=address.country, served_countries=sorted(served))
    area = excluded_area(address.country, address.postal_code)
    if area is not None:
        raise AddressNotServed(
            f"We don't deliver to {area} (postcode {address.postal_code}, {address.country}): "
            "it is outside the EU and UK VAT areas.",
            country=address.country, postal_code=address.postal_code, area=area)
