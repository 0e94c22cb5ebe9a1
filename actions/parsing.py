"""Pure helpers for reading user text and formatting values for replies."""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

# Words that never name a product; what is left of a message is worth a catalogue search.
_STOP_WORDS = frozenset(
    """a an and any are as at be buy can cost costs do does for from get have how i in is it me
    much my of on or please price prices pls show sell stock tell that the there this to u want
    what whats which with you your available have got do details info about need looking some
    many much is are in-stock instock left still any more""".split()
)


# Order numbers as the backend issues them ("OB-KR3FC2V4") or as plain digits ("1042").
# "OB-7KB8JMGK", "ob7kb8jmgk", "1042", and the number without its prefix: eight letters and
# digits, two of them digits at least ("D0003403"), or after "order", "status of", "track",
# "cancel" or "where is" one digit, or none in capitals ("track GJHXFBPY").
_ORDER_NUMBER = re.compile(
    r"(?i)\b(OB[-\s]?[0-9A-Z]{8}|\d{4,8}|(?=(?:[A-Z]*\d){2})(?=\d*[A-Z])[0-9A-Z]{8})\b|"
    r"\b(?:order|status(?:\s+of)?|track(?:ing)?(?:\s+for)?|cancel|where\s+is(?:\s+order)?)\s*"
    r"(?:no\.?|number|num|id|#)?\s*:?\s*#?((?=[A-Z]*\d)(?=\d*[A-Z])[0-9A-Z]{8}|(?-i:[A-Z]{8}))\b")
# The answer to "what's your order number?": the number alone, however written ("gjhxfbpy").
_ORDER_NUMBER_ALONE = re.compile(r"(?i)^\s*(?:it'?s\s+|its\s+|order\s+|#)?([0-9A-Z]{8})[\s.!?]*$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,18}\d")


def order_number(text: Optional[str], asked: bool = False) -> Optional[str]:
    """The order number in an entity value or message ("order #1042" → "1042"); `asked`: the
    message answers "what's your order number?", so eight letters alone are one too. The shop's
    own number ("OB-…") goes before bare digits, and a date's year is none: a pasted "Order
    number: OB-SEV2VWFK / Date: 7 Dec 2026" had been looked up as order 2026."""
    found = [match for match in _ORDER_NUMBER.finditer(text or "") if not _in_a_date(match.start(), match.end(), text)]
    match = next((match for match in found if re.match(r"(?i)OB", match.group(1) or "")), None) or (
        found[0] if found else _ORDER_NUMBER_ALONE.match(text or "") if asked else None)
    if not match:
        return None
    number = (match.group(1) or match.group(2)).upper()
    if number.isdigit() or number.startswith("OB-"):
        return number
    return "OB-" + number[-8:]  # "OB 3NXJBEPF", "OB3NXJBEPF", "3NXJBEPF"


# A date as customers and confirmation emails write it ("7 Dec 2026", "December 7, 2026", "Dec
# 2026", "07/12/2026", "2026-12-07"), or a year said as one ("in 2025", "since 2024"): its digits are
# no order's.
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
          r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?")
_YEAR = r"(?:19|20)\d\d\b"
_DATE = re.compile(
    rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}|"
    rf"\b{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?{_YEAR}|"
    rf"\b\d{{1,2}}[./-]\d{{1,2}}[./-]{_YEAR}|\b(?:19|20)\d\d[./-]\d{{1,2}}[./-]\d{{1,2}}\b|"
    rf"\b(?:in|since|year|dated?:?)\s+{_YEAR}")


def _in_a_date(start: int, end: int, text: Optional[str]) -> bool:
    return any(date.start() <= start and end <= date.end() for date in _DATE.finditer(text or ""))


def within_date(value: Optional[str], text: Optional[str]) -> bool:
    """True when `value` ("2026", the NLU's order_id) is found in `text` only in a date ("Date: 7 Dec
    2026") or as a year ("ordered in 2025"), never as an order number."""
    spans = [match.span() for match in re.finditer(rf"(?<![\w-]){re.escape(str(value))}(?!\w)", text or "")] \
        if value and str(value).isdigit() else []
    return bool(spans) and all(_in_a_date(start, end, text) for start, end in spans)


# A message that is an order number and nothing more ("HZME5UYP", "#X5DKAPRB", "and x5dkaprb?"),
# which the pattern above misses with one digit or none; one digit at least without "#", so that
# no word of eight letters is taken for an order.
_BARE_ORDER_NUMBER = re.compile(
    r"(?i)^\s*(?:(?:and|what about|how about|n)\s+)?(?:(?:order|ob)\s*)?"
    r"(?:#\s*([0-9A-Z]{8})|((?=[A-Z]*\d)(?=\d*[A-Z])[0-9A-Z]{8}))(?:\s+(?:pls|plz|please|status))?[\s.!?]*$")


def order_number_alone(text: Optional[str]) -> Optional[str]:
    """The order number a message is and nothing more, without its "OB-" ("HZME5UYP" → "OB-HZME5UYP")."""
    match = _BARE_ORDER_NUMBER.match(text or "")
    if not match:
        return None
    number = (match.group(1) or match.group(2)).upper()
    return number if number.isdigit() else "OB-" + number


def whole_phone_number(value: Optional[str], text: Optional[str]) -> Optional[str]:
    """The phone number of `text` that `value` is part of, its separators removed: the NLU's phone
    entity stops short of a number written in groups ("+91 98765 1111" of "+91 98765 11111"), and
    the backend checks the last digits."""
    wanted = re.sub(r"\D", "", value or "")
    for phone in _PHONE.finditer(text or ""):
        if wanted and wanted in re.sub(r"\D", "", phone.group(0)):
            return contact_detail(phone.group(0))
    return contact_detail(value)


def within_phone_number(value: Optional[str], text: Optional[str]) -> bool:
    """True when `value` ("7700") is only part of a phone number in `text` ("its +44 7700 900123"),
    which the order-number pattern would otherwise take for an order."""
    text = text or ""
    for phone in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", phone.group(0))
        if len(digits) >= 9 and value and str(value) in phone.group(0):
            return True
    return False


def without_phone_numbers(text: Optional[str]) -> str:
    """`text` with its phone numbers (9 digits or more) blanked: none of their digits is a count."""
    return _PHONE.sub(lambda phone: " " if len(re.sub(r"\D", "", phone.group(0))) >= 9 else phone.group(0), text or "")


def contact_with_address(text: Optional[str]) -> Optional[str]:
    """The email and/or phone number given along with an address ("…, Ireland, ada@example.com"):
    a phone number only with its "+" or as a part of its own of 9 digits or more, so that a
    postcode ("1250-096 Lisboa") or a house number is never taken for one."""
    text = text or ""
    email = _EMAIL.search(text)
    rest = _EMAIL.sub(" ", text)
    plus = re.search(r"\+\d[\d\s().-]{6,18}\d", rest)
    alone = plus or next((match for match in map(_PHONE_PART.fullmatch, map(str.strip, re.split(r"[,\n]", rest)))
                          if match), None)
    return joined_contact(email.group(0).lower() if email else None,
                          re.sub(r"[^\d+]", "", alone.group(0)) if alone else None)


def contact_details(text: Optional[str]) -> Optional[str]:
    """The email and the phone number of a message, both when both are given ("ada@example.com,
    +353851234567"), else the one (contact_detail)."""
    email = _EMAIL.search(text or "")
    if email is None:
        return contact_detail(text)
    return joined_contact(email.group(0).lower(), contact_detail(_EMAIL.sub(" ", text or "")))


def joined_contact(email: Optional[str], phone: Optional[str]) -> Optional[str]:
    """An order's contact as the chat keeps and shows it: "ada@example.com, +353851234567"."""
    return ", ".join(part for part in (email, phone) if part) or None


def contact_parts(contact: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(email, phone) of a contact kept as `joined_contact` makes it."""
    parts = [part.strip() for part in (contact or "").split(",") if part.strip()]
    return (next((part for part in parts if "@" in part), None),
            next((part for part in parts if "@" not in part), None))


def contact_detail(text: Optional[str]) -> Optional[str]:
    """An email address, or a phone number with its separators removed (and the trunk zero of
    "+44 (0)7700 900123", which is not dialled after the country code)."""
    text = re.sub(r"(\+\d{1,3})\s*\(0\)", r"\1", text or "")
    email = _EMAIL.search(text)
    if email:
        return email.group(0).lower()
    phone = _PHONE.search(text)
    if phone:
        digits = re.sub(r"[^\d+]", "", phone.group(0))
        return digits if len(digits.lstrip("+")) >= 7 else None
    return None


def format_price(price_minor: int, currency: str) -> str:
    symbol = _CURRENCY_SYMBOLS.get(currency.upper())
    amount = f"{price_minor / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def search_terms(text: str, limit: int = 3) -> List[str]:
    """The content words of a message, longest first: candidates for a catalogue search."""
    words = re.findall(r"[a-z][a-z\-]+", text.lower())
    content = [word for word in words if word not in _STOP_WORDS and len(word) > 2]
    unique = list(dict.fromkeys(content))
    return sorted(unique, key=len, reverse=True)[:limit]


# Countries we ship to (EU, UK, Switzerland, Norway), by common English name or ISO alpha-2.
_COUNTRIES = {
    "ireland": "IE", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "germany": "DE", "deutschland": "DE",
    "france": "FR", "spain": "ES", "espana": "ES", "italy": "IT", "italia": "IT", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "belgium": "BE", "austria": "AT", "portugal": "PT",
    "switzerland": "CH", "norway": "NO", "denmark": "DK", "sweden": "SE", "finland": "FI",
    "poland": "PL", "luxembourg": "LU", "czechia": "CZ", "czech republic": "CZ", "greece": "GR",
    "hungary": "HU", "slovakia": "SK", "slovenia": "SI", "croatia": "HR", "romania": "RO",
    "bulgaria": "BG", "estonia": "EE", "latvia": "LV", "lithuania": "LT", "malta": "MT", "cyprus": "CY",
    # as people there write them
    "polska": "PL", "osterreich": "AT", "oesterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "eire": "IE", "belgique": "BE", "belgie": "BE",
    "nederland": "NL", "cesko": "CZ", "ceska republika": "CZ", "slovensko": "SK", "magyarorszag": "HU",
    "hrvatska": "HR", "slovenija": "SI", "lietuva": "LT", "latvija": "LV", "eesti": "EE", "hellas": "GR",
}
_COUNTRY_CODES = frozenset(_COUNTRIES.values())
# Irish Eircode, UK postcode, Dutch postcode, a country letter and dash ("L-1234", "LV-1010"),
# Maltese ("VLT 1117"), Polish, Czech/Slovak/Swedish/Greek ("110 00"), then plain digit codes
# (with an optional dash part: "1250-096").
_POSTCODES = [re.compile(p, re.IGNORECASE) for p in (
    r"\b[A-Z]\d{2}\s?[A-Z\d]{4}\b", r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
    r"\b\d{4}\s?[A-Z]{2}\b", r"\b[A-Z]{1,2}-\d{4,5}\b", r"\b[A-Z]{3}\s?\d{4}\b", r"\b\d{2}-\d{3}\b",
    r"\b\d{3}\s\d{2}\b", r"\b\d{3,6}(?:-\d{3,4})?\b")]


def _fold(text: Optional[str]) -> str:
    """Lower-case letters and spaces only, accents dropped ("Česko" is "cesko"): how country names
    are compared."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z ]", "", plain.lower()).strip()


def country_code(text: str) -> Optional[str]:
    """ISO alpha-2 code for a country name or code we ship to ("Ireland", "ie" → "IE"), a small
    typo forgiven ("germny"; the summary shows the country before the order is placed)."""
    folded = _fold(text)
    if folded.upper() in _COUNTRY_CODES:
        return folded.upper()
    if folded in _COUNTRIES or len(folded) < 5:
        return _COUNTRIES.get(folded)
    # Among the countries we don't ship to as well: "austrlia" is not Austria.
    close = difflib.get_close_matches(folded, [*_COUNTRIES, *_NOT_SHIPPED], n=1, cutoff=0.8)
    return _COUNTRIES.get(close[0]) if close else None


# Countries customers name that we don't ship to: "we don't ship there", not "country not recognised".
_NOT_SHIPPED = frozenset("""india usa us america canada australia china japan korea singapore brazil
    mexico argentina chile colombia peru nigeria kenya egypt pakistan bangladesh nepal uae dubai qatar
    israel turkey russia ukraine indonesia malaysia philippines thailand vietnam taiwan iceland serbia
    morocco liechtenstein monaco andorra albania montenegro moldova belarus""".split()) | {
    "united states", "united states of america", "south africa", "new zealand", "south korea", "sri lanka",
    "united arab emirates", "saudi arabia", "hong kong", "san marino", "vatican city", "canary islands",
    "the canary islands", "canaries", "faroe islands", "bosnia and herzegovina", "north macedonia"}
# Places in or by the countries we ship to that are outside the EU VAT area (and the UK's): the
# Canary Islands, Ceuta, Melilla, Gibraltar, the Channel Islands, Åland, the French overseas
# departments and collectivities, the Dutch Caribbean, Greenland, Heligoland, Büsingen, Livigno,
# Campione d'Italia, Mount Athos. Named as an address's country, or asked about.
_OUTSIDE_THE_VAT_AREA = frozenset("""gibraltar ceuta melilla jersey guernsey alderney sark aland martinique
    guadeloupe guyane mayotte reunion greenland aruba curacao bonaire heligoland helgoland busingen
    livigno tenerife lanzarote fuerteventura""".split()) | {
    "channel islands", "the channel islands", "aland islands", "the aland islands", "ahvenanmaa", "french guiana",
    "la reunion", "reunion island", "french polynesia", "new caledonia", "saint martin", "sint maarten",
    "saint barthelemy", "st barthelemy", "saint pierre and miquelon", "wallis and futuna", "gran canaria",
    "la palma", "campione ditalia", "mount athos", "northern cyprus"}
_NOT_SHIPPED |= _OUTSIDE_THE_VAT_AREA
# Words of talk as well as places ("a family reunion", "a jersey"): places only as an address's country.
_PLACES_ONLY_IN_ADDRESSES = frozenset({"reunion", "sark", "la palma", "saint martin"})
# Spelt with their accents in a message (country parts are compared without them).
_ACCENTED_PLACES = frozenset({"åland", "ahvenanmaa", "réunion", "la réunion", "curaçao", "büsingen",
                              "campione d'italia", "saint-barthélemy", "saint-martin"})
# Postcodes of those places within a country we ship to (the 35xxx and 38xxx of the Canary
# Islands, 51xxx Ceuta, 52xxx Melilla; 97xxx/98xxx French overseas, and Monaco's 98000; Åland's
# 22xxx; Gibraltar's GX11 and the Channel Islands' JE and GY; Heligoland, Büsingen; Campione,
# Livigno; Mount Athos). The Isle of Man (IM) is in the UK's VAT area: shipped to.
_POSTCODES_OUTSIDE_THE_VAT_AREA = {
    "ES": re.compile(r"(?:35|38|51|52)\d{3}"), "FR": re.compile(r"9[78]\d{3}"), "FI": re.compile(r"(?:AX-?)?22\d{3}"),
    "GB": re.compile(r"(?:GX|JE|GY)\d.*"), "DE": re.compile(r"27498|78266"), "IT": re.compile(r"22061|23041"),
    "GR": re.compile(r"630 ?86"),
}
# Their towns, for an address whose postcode was mistyped ("Las Palmas 35010" is caught by its postcode too).
_TOWNS_OUTSIDE_THE_VAT_AREA = re.compile(
    r"\b(?:las palmas|gran canaria|santa cruz de tenerife|tenerife|lanzarote|fuerteventura|arrecife|puerto del rosario|"
    r"ceuta|melilla|gibraltar|mariehamn|st helier|saint helier|st peter port|saint peter port|fort de france|"
    r"pointe a pitre|cayenne|mamoudzou|helgoland|heligoland|busingen|livigno|campione d ?italia)\b")


def outside_the_vat_area(address: Dict[str, str]) -> bool:
    """An address in a country we ship to but in one of its places outside the EU VAT area (the
    Canary Islands of Spain, Gibraltar in a UK address, Åland in Finland, …): not shipped to (QA16
    F1: "…, 35002 Las Palmas de Gran Canaria, Spain" had been placed)."""
    postcodes = _POSTCODES_OUTSIDE_THE_VAT_AREA.get(address.get("country") or "")
    postcode = str(address.get("postal_code") or "").upper()
    town = _fold(re.sub(r"[-']", " ", str(address.get("city") or "")))
    return bool((postcodes and postcodes.fullmatch(postcode)) or _TOWNS_OUTSIDE_THE_VAT_AREA.search(town))


# The places outside the EU VAT area, as the refusal names them: by a country's postcodes, or the
# town (the postcode mistyped), or the "country" written (…, Jersey).
_AREAS_BY_POSTCODE = {
    "ES": ((r"(?:35|38)\d{3}", "the Canary Islands"), (r"51\d{3}", "Ceuta"), (r"52\d{3}", "Melilla")),
    "FR": ((r"971\d\d", "Guadeloupe"), (r"972\d\d", "Martinique"), (r"973\d\d", "French Guiana"),
           (r"974\d\d", "Réunion"), (r"975\d\d", "Saint Pierre and Miquelon"), (r"976\d\d", "Mayotte"),
           (r"977\d\d", "Saint Barthélemy"), (r"978\d\d", "Saint Martin"), (r"980\d\d", "Monaco"),
           (r"986\d\d", "Wallis and Futuna"), (r"987\d\d", "French Polynesia"), (r"988\d\d", "New Caledonia"),
           (r"9[78]\d{3}", "the French overseas territories")),
    "FI": ((r"(?:AX-?)?22\d{3}", "Åland"),),
    "GB": ((r"GX\d.*", "Gibraltar"), (r"JE\d.*", "Jersey"), (r"GY\d.*", "Guernsey")),
    "DE": ((r"27498", "Heligoland"), (r"78266", "Büsingen")),
    "IT": ((r"22061", "Campione d'Italia"), (r"23041", "Livigno")),
    "GR": ((r"630 ?86", "Mount Athos"),),
}
_AREAS_BY_TOWN = (
    (r"las palmas|gran canaria|santa cruz de tenerife|tenerife|lanzarote|fuerteventura|arrecife|puerto del rosario",
     "the Canary Islands"),
    (r"ceuta", "Ceuta"), (r"melilla", "Melilla"), (r"gibraltar", "Gibraltar"), (r"mariehamn", "Åland"),
    (r"st helier|saint helier", "Jersey"), (r"st peter port|saint peter port", "Guernsey"),
    (r"fort de france", "Martinique"), (r"pointe a pitre", "Guadeloupe"), (r"cayenne", "French Guiana"),
    (r"mamoudzou", "Mayotte"), (r"helgoland|heligoland", "Heligoland"), (r"busingen", "Büsingen"),
    (r"livigno", "Livigno"), (r"campione d ?italia", "Campione d'Italia"))
_AREAS_AS_COUNTRIES = _OUTSIDE_THE_VAT_AREA | {"canary islands", "the canary islands", "canaries"}


def area_of(address: Dict[str, str]) -> Optional[str]:
    """The place outside the EU VAT area `address` is in ("the Canary Islands"), if `outside_the_vat_area`."""
    postcode = str(address.get("postal_code") or "").upper()
    for pattern, area in _AREAS_BY_POSTCODE.get(address.get("country") or "", ()):
        if re.fullmatch(pattern, postcode):
            return area
    town = _fold(re.sub(r"[-']", " ", str(address.get("city") or "")))
    return next((area for pattern, area in _AREAS_BY_TOWN if re.search(rf"\b(?:{pattern})\b", town)), None)


# Places customers ask about that we don't deliver to: those countries and their big cities.
_FOREIGN_CITIES = frozenset("""mumbai bombay delhi bangalore bengaluru chennai kolkata hyderabad pune
    ahmedabad jaipur lucknow chandigarh kochi gurgaon gurugram noida karachi lahore dhaka kathmandu
    colombo toronto vancouver montreal sydney melbourne brisbane perth auckland tokyo osaka seoul
    beijing shanghai manila jakarta bangkok istanbul ankara moscow kyiv kiev cairo lagos nairobi
    johannesburg riyadh doha vaduz tenerife lanzarote""".split()) | {"new york", "los angeles", "san francisco",
                                                                    "abu dhabi", "new delhi", "cape town",
                                                                    "mexico city", "sao paulo", "monte carlo",
                                                                    "gran canaria", "las palmas", "new jersey",
                                                                    "st helier", "st peter port", "mariehamn"}
_FOREIGN_PLACE = re.compile(r"(?i:(?<!\w)(" + "|".join(sorted(
    (re.escape(place) for place in (_NOT_SHIPPED - {"us"} - _PLACES_ONLY_IN_ADDRESSES) | _FOREIGN_CITIES
     | _ACCENTED_PLACES), key=len, reverse=True))
    + r")(?!\w))|\b(US|U\.S\.A?\.?)(?=\W|$)")


# A place that is a product's origin, in its name: "Colombia Huila Beans", "colombia coffee".
_ORIGIN_OF = re.compile(r"(?i)\s*(?:huila|yirgacheffe|single[- ]origin|(?:coffee\s+)?beans?|coffee|roast|blend)\b")


def foreign_place(text: Optional[str], products: Sequence[Tuple[int, int]] = ()) -> Optional[str]:
    """The place we don't deliver to that `text` names ("how long delivery to mumbai" → "Mumbai");
    "us" in lower case is the customer, not the country. A place in a product's name is no
    destination (`products`: where the message names products): a pasted confirmation listing
    "2 x Colombia Huila Beans 250 g" had been told "we don't deliver to Colombia"."""
    return next(iter(_foreign_places(text, products)), None)


def foreign_places(text: Optional[str], products: Sequence[Tuple[int, int]] = ()) -> Optional[str]:
    """Every place `foreign_place` finds, as said after "we don't deliver to": "the Canary Islands or
    Andorra" (QA16: a question about both had been answered about the first)."""
    places = list(dict.fromkeys(_foreign_places(text, products)))
    return " or ".join(filter(None, (", ".join(places[:-1]), places[-1]))) if places else None


def _foreign_places(text: Optional[str], products: Sequence[Tuple[int, int]]) -> Iterator[str]:
    served_destination = _SERVED_DESTINATION.search(text or "") is not None
    for match in _FOREIGN_PLACE.finditer(text or ""):
        if _ORIGIN_OF.match(text, match.end()) or any(start <= match.start() and match.end() <= end
                                                      for start, end in products):
            continue
        if served_destination and _LIVES_IN.search(text[:match.start()]):
            continue  # "im living in the US but want to send a gift to my mom in portugal" (QA17)
        place = re.sub(r"(?i)^the\s+", "", match.group(1) or match.group(2))
        name = place.upper() if len(place) <= 3 or place.lower().replace(".", "") in ("us", "usa", "uae") else " ".join(
            word if word in ("of", "and") else word.capitalize() for word in place.lower().split())
        # "we don't deliver to the US", "to the Canary Islands" (said after "to" in the answer)
        yield f"the {name}" if _WITH_THE.match(place) else name


# Where the customer is, not where the parcel goes: "i live in the US", "im based in toronto".
_LIVES_IN = re.compile(r"(?i)\b(?:live|living|lives|based|staying|located|reside|residing|from)\s+(?:in\s+)?(?:the\s+)?$")
# A destination we deliver to: "to my mom in portugal", "ship it to germany".
_SERVED_DESTINATION = re.compile(
    r"(?i)\b(?:to|in)\s+(?:(?:my|our|a|the|her|his)\s+(?:\w+\s+){1,2}(?:in|at)\s+)?(?:"
    + "|".join(sorted(map(re.escape, _COUNTRIES), key=len, reverse=True)) + r")\b")
# Places named with "the": "the US", "the UAE", "the Philippines".
_WITH_THE = re.compile(r"(?i)(?:u\.?s\.?(?:a\.?)?|uae)$|united\b|philippines|canar|faroe|[\w\s]*\bislands$")


# Words before the name: "change the address of my order to Ada …", "new address: Ada …", "i moved,
# please ship my order to Ada …": a request word, then up to the last "to", "is", "at", ":" or
# "for my order" before the first digit. Tried first; the whole text is tried too, so a street
# like "Ship Street" or a label like "Address:" costs nothing.
_ADDRESS_LEAD_IN = re.compile(
    r"(?i)^[^\d]*?\b(?:address|send|ship|deliver|post|go|goes|change|update|switch|set|use|redirect)\b"
    r"[^\d]*(?:\bto\b|\bis\b|\bat\b|:|\bfor (?:my|the|this) order(?: please)?)\s*:?\s*")
# The order's number in an address change: no part of the address, and its digits would end the lead-in.
_ORDER_NUMBER_SAID = re.compile(r"(?i)(\border\s*(?:no\.?|number|#)?\s*)(?:OB[- ]?)?(?=[0-9A-Z]*\d)[0-9A-Z]{8}\b")
# "ok so Bob Brown, …", "its Bob Brown, …", "no, to Anna Schulz, …": talk before the name, not part of it
# (QA17: a correction's "no, to" had become the name "no" and the street "to Anna Schulz").
_FILLER_BEFORE_NAME = re.compile(r"(?i)^(?:(?:ok(?:ay)?|so|well|sure|yes|yeah|right|alright|then|here|hi|hello|hey|"
                                 r"there|it'?s|its|it is|this is|that'?s|thats|name is|i am|i'?m|no|nope|nah|"
                                 r"to)\b[\s,:.!-]*)+")
# "…, UK - same name", "…, France same name", "(same name as before)", "keep the name": the name on the
# order stays (said in an address change), no part of the address (QA16 F3: "…, Switzerland, same
# name" had no country at its end, and its postcode was looked up as an order).
_SAME_NAME = re.compile(
    r"(?i)[\s,;.(–—-]*\b(?:(?:with|and|but|for)\s+)?(?:the\s+)?(?:same\s+(?:name|recipient|person)|"
    r"keep(?:ing)?\s+(?:the|my)\s+(?:same\s+)?name|name\s+(?:stays(?:\s+the\s+same)?|unchanged|is\s+the\s+same))"
    r"(?:\s+as\s+(?:before|now|on\s+the\s+order|it\s+is))?\b[\s.!)]*")
_COURTESY_AT_END = re.compile(
    r"(?i)(?:[\s,.!]+(?:please|pls|plz|thanks|thank you|thx|ty|asap|instead|now|then))+[\s.!]*$")
# Labels some customers write before a part: "Name: Tom Baker, Address: 22 High Street, ...".
_PART_LABEL = re.compile(r"(?i)^(?:name|full name|address|street|addr|city|town|post ?code|zip(?: code)?|"
                         r"pin(?: ?code)?|country)\s*[:=-]\s*")
# A second line written before the street ("Flat 3B, 22 Hauptstrasse"): the street goes first.
_UNIT = re.compile(r"(?i)^(?:(?:flat|apt\.?|apartment|appartement|wohnung|unit|suite|ste\.?|floor|fl\.?|etage|"
                   r"room|block|building|bldg|#)\s*\w|\d+(?:st|nd|rd|th)? (?:floor|etage|stock)\b)")


# "send it to my mum Mary at 9 Main Street, …": the name and the street in one part, joined by
# "at"; the request words end at the last "to"/"for"/":", and "my mum" is no part of the name.
_NAME_AT_STREET = re.compile(r"(?i)^(?P<before>[^\d]+?)\s+at\s+(?P<street>\d.*)$")
_REQUEST_BEFORE_NAME = re.compile(r"(?i)^.*(?:\bto\b|\bfor\b|:)\s*")
_RELATION = re.compile(
    r"(?i)^(?:my|our)\s+(?:mum|mom|mother|mama|dad|father|papa|sister|brother|sis|bro|wife|husband|"
    r"son|daughter|friend|partner|boss|colleague|neighbou?r|aunt|uncle|grandma|grandmother|"
    r"grandpa|grandfather|cousin|girlfriend|boyfriend|fiancee?)\s+")


def _name_at_street(parts: List[str]) -> List[str]:
    """["send it to my mum Mary at 9 Main Street", …] → ["Mary", "9 Main Street", …]; [] when
    the first part isn't written that way."""
    match = _NAME_AT_STREET.match(parts[0]) if parts else None
    if match is None:
        return []
    name = _RELATION.sub("", _REQUEST_BEFORE_NAME.sub("", match["before"]).strip())
    if not name or re.match(r"(?i)(?:my|our|the|his|her|their)\b", name):  # "my office at 3 Dock Road"
        return []
    return [name, match["street"]] + parts[1:]


def _address_parts(text: str, lead_in: bool = True) -> List[str]:
    """Comma- or line-separated parts, without the words before the name, a trailing "please", or
    an email or phone number given with it ("…, Ireland, ada@example.com")."""
    text = re.sub(rf"{_CONTACT_LABEL}?{_EMAIL.pattern}", " ", text or "")
    text = _ORDER_NUMBER_SAID.sub(r"\1", text)  # "the address of order OB-D7H4SBES to Alan Turing, …"
    text = re.sub(r"(?i)\bOB-(?=[0-9A-Z]*\d)[0-9A-Z]{8}\b", " ", text)  # "… of OB-7C5FXG94 to …": never the address
    # "+353 87 123 4567", "tel +47 912 34 567": a postcode has no "+"
    text = re.sub(rf"{_CONTACT_LABEL}?\+\d[\d\s().-]{{6,18}}\d", " ", text)
    text = _SAME_NAME.sub(" ", text)
    text = _COURTESY_AT_END.sub("", _ADDRESS_LEAD_IN.sub("", text, count=1) if lead_in else text)
    parts = [_PART_LABEL.sub("", part.strip()) for part in re.split(r"[,\n]", text)]
    while parts and not re.search(r"\d", parts[0]):  # "sure, its Maria Garcia, …", "hi there, Bob …"
        parts[0] = _FILLER_BEFORE_NAME.sub("", parts[0])
        if parts[0]:
            break
        parts = parts[1:]
    return [part for part in parts if part and not _PHONE_PART.fullmatch(part)]


# A part that is only a phone number given with the address ("…, Ireland, 087 123 4567").
_PHONE_PART = re.compile(r"(?i)(?:(?:phone|tel|mobile|mob|ph)\b\W*)?\+?(?:\d[\s().-]*){9,15}")
# The label of an email or phone given after the address ("tel +47 …", "ph: +43 …", "email: …"): no country.
_CONTACT_LABEL = (r"(?i:\b(?:e-?mail(?:\s+address)?|mail|tel(?:ephone)?|phone|ph|mob(?:ile)?|cell(?:\s*phone)?|"
                  r"whats\s?app|contact)\.?(?:\s*(?:no|number|nr|#)\.?)?\s*[:=-]?\s*)")


def _postcode_in(part: str) -> Optional["re.Match[str]"]:
    return next((m for m in (p.search(part) for p in _POSTCODES) if m), None)


def parse_address(text: Optional[str], name: Optional[str] = None) -> Tuple[Optional[Dict[str, str]], Optional[str]]:
    """ "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland" → (the backend's Address, None),
    or (None, problem) with problem one of "parts", "no_country", "name", "country", "not_shipped",
    "postcode", "city". Parts between the street and the town ("Flat 3B") are the second address line; the
    town may stand next to its postcode ("London, NW1 6XE"); the name may come with the street ("my
    mum Mary at 9 Main Street, …"). `name`: the one to use when the
    address starts at the street (a change of address keeps the name on the order)."""
    address, problem, _ = _read_address(text, name)
    return address, problem


def area_not_served(text: Optional[str], name: Optional[str] = None) -> Optional[str]:
    """The place outside the EU VAT area an address is in, in a country we deliver to otherwise ("the
    Canary Islands" for "…, 35002 Las Palmas de Gran Canaria, Spain", "Jersey", "Gibraltar"); None
    for any other address. "We deliver to the EU, the UK…" had refused those, which read as a
    contradiction: the refusal names the area (`address_refusal`)."""
    return _read_address(text, name)[2]


def address_refusal(text: Optional[str], problem: Optional[str],
                    name: Optional[str] = None) -> Tuple[str, Dict[str, str]]:
    """The response (and its values) saying what is wrong with an address `parse_address` refused
    with `problem`: for a place outside the EU VAT area, that place named."""
    area = area_not_served(text, name) if problem == "not_shipped" else None
    if area:
        return "utter_invalid_address_outside_vat_area", {"place": area}
    return f"utter_invalid_address_{problem}", {}


def _read_address(text: Optional[str],
                  name: Optional[str]) -> Tuple[Optional[Dict[str, str]], Optional[str], Optional[str]]:
    """`parse_address`'s address and problem, and the area not served that refused it (if one did)."""
    candidates = [_address_parts(text or ""), _address_parts(text or "", lead_in=False)]
    candidates += [split for split in map(_name_at_street, candidates[1:]) if split]
    candidates += [split for split in (_parts_of_one_line(parts[0]) for parts in candidates if len(parts) == 1) if split]
    if name:  # the order's name before an address that starts at the street
        candidates += [[name] + parts for parts in candidates if parts and re.search(r"\d", parts[0])]
    first = _parse_parts(candidates[0])
    if first[0] is None:  # the others only when needed; the first one's problem is the one said
        return next((found for found in map(_parse_parts, candidates[1:])
                     if found[0] and not _REQUEST_WORDS.search(f"{found[0]['name']} {found[0]['line1']}")), first)
    return first


def _parts_of_one_line(line: str) -> List[str]:
    """ "Priya Sharma Kungsgatan 44 111 35 Stockholm Sweden" → its parts, where the line tells them
    surely (QA F7): a country at the end, the town after its postcode, and the name before a street
    that starts at its number ("… 12 Market Street 10115 …") or is one word before it ("Kungsgatan 44");
    [] otherwise (the customer is asked for commas)."""
    words = line.split()
    size = next((n for n in (3, 2, 1) if len(words) > n + 3 and _a_country(" ".join(words[-n:]), fuzzy=n == 1)), 0)
    number = next((i for i, word in enumerate(words[:-size]) if re.search(r"\d", word)), None) if size else None
    if number is None or number == 0:
        return []
    after = " ".join(words[number + 1:-size])
    postcode = _postcode_in(after)
    town = after[postcode.end():].strip() if postcode else ""
    if not town or re.search(r"\d", town):
        return []
    between = after[:postcode.start()].strip()
    if between:  # "12 Market Street": the name is all before the number
        name, street = words[:number], f"{words[number]} {between}"
    elif number == 3 and not between:  # "Kungsgatan 44": the street is one word
        name, street = words[:2], " ".join(words[2:number + 1])
    else:
        return []
    if not name or _TALK.search(" ".join(name)) or re.search(r"\d", between):  # "i want 2 mugs for Ada …"
        return []
    return [" ".join(name), street, f"{postcode.group(0)} {town}", " ".join(words[-size:])]


def _a_country(text: str, fuzzy: bool) -> bool:
    folded = _fold(text)
    return folded in _COUNTRIES or folded in _NOT_SHIPPED or bool(fuzzy and country_code(text))


# Words of a request, never of a name or street: "i moved, pls send it to Flat 2, …" read without
# its lead-in would make "i moved" the name and "pls send it to Flat 2" the street.
_REQUEST_WORDS = re.compile(r"(?i)\b(?:send|ship|deliver|change|update|address|moved?|pls|plz|please|instead)\b")


def complete_address(earlier: str, answer: str, name: Optional[str] = None) -> Optional[Dict[str, str]]:
    """An address given in two goes: "Ada Lovelace, 12 Market Street, 10115 Berlin", then "germany"
    (asked for the country), or "…, Dublin, Ireland" then "D02 X285" (asked for the postcode)."""
    parts = [part.strip() for part in earlier.split(",")]
    tries = [f"{earlier}, {answer}"]
    if len(parts) >= 2:
        tries += [", ".join(parts[:-2] + [f"{parts[-2]} {answer}", parts[-1]]),
                  ", ".join(parts[:-1] + [answer, parts[-1]])]
    return next((found for found in (parse_address(t, name=name)[0] for t in tries) if found), None)


_AGREEING_FIRST = re.compile(r"(?i)^(?:fine|ok(?:ay)?|sure|yes|yeah|yep|here|right|alright|great|thanks?|cool|done)"
                             r"\s*[.!,:-]?\s+")
# Words of talk, never of a person's name: "no i said different address. Kari Nordmann, …" had put the
# whole sentence on the parcel (QA F8).
_TALK = re.compile(r"(?i)\b(?:i|i'?m|me|my|you|it|is|was|the|to|no|not|said|say|told|want|wanted|need|should|"
                   r"different|other|order|address|back|please|pls|plz|send|ship|deliver|instead|actually|sorry|"
                   r"wrong|new|this|that|here|ok|okay|yes)\b")


def _name_after_talk(name: str) -> str:
    """ "ok back to the order. Nina Kovač" → "Nina Kovač", "my sister then - Anjali Sharma" →
    "Anjali Sharma" (QA16 F5), "my brother Tom Baker" → "Tom Baker": sentences of talk and a
    relation before the name go (not a title's or an initial's dot: "Dr. Ada Lovelace", "J. Smith";
    not a hyphen in a name: "Anne-Marie")."""
    sentences = re.split(r"(?<=[.!?])\s+|\s+[–—-]+\s+", name)
    while len(sentences) > 1 and (_TALK.search(sentences[0]) or sentences[0].endswith(("!", "?"))):
        sentences = sentences[1:]
    return _RELATION.sub("", " ".join(sentences))


# "change the name to Nina Kovač", "the name is wrong, it should be just Nina Kovač": the recipient's new name.
_NEW_NAME = re.compile(r"(?i)\bname\b.*?(?:\bto\b|\bbe\b|\bis\b|\bit'?s\b|\bits\b|:)\s*(?:(?:just|only|simply)\s+)?"
                       r"(?P<name>[^\d,.:;!?@]+?)[\s.!]*$")


# What is said of a name, not a name: "the name is fine", "name is correct now", "the name is spelt right".
_SAID_OF_A_NAME = re.compile(r"(?i)^(?:fine|ok(?:ay)?|correct|right|good|great|perfect|alright|all right|same|"
                             r"the same|incorrect|missing|misspel+t|misspelled|spel+t|spelled|fixed|ok now|fine now)\b")


# "actually put it under Dr Anjali Sharma-Rao", "make it out to Tom Baker": the order in another name.
_UNDER_A_NAME = re.compile(r"(?i)\b(?:(?:put|place|book|have|do)\s+(?:it|this|that|the order|my order|the parcel)\s+"
                           r"under|make\s+(?:it|the order|the parcel)\s+out\s+to|under\s+the\s+name(?:\s+of)?)\s+"
                           r"(?:the\s+name\s+(?:of\s+)?)?(?P<name>[^\d,:;!?@]+?)[\s.!]*$")
# "Anjali Rao not Anjali Sharma", "Anjali Rao instead of Anjali Sharma": the old name said after the new one.
_OLD_NAME_AFTER = re.compile(r"(?i)\s*,?\s*\b(?:not|instead of|rather than)\b.*$")


def new_name_in(text: Optional[str]) -> Optional[str]:
    """The new name for the parcel a message gives, without an address (QA F8: only the whole address
    again had fixed a name); None when it gives none ("the name is fine": at the summary, that
    answer is about its name, which stays). "the name shud be Anjali Rao not Anjali Sharma": the
    new one; "put it under Dr Anjali Sharma-Rao": that one (verify QA: the summary had stayed)."""
    text = _COURTESY_AT_END.sub("", text or "")
    match = _NEW_NAME.search(text) or _UNDER_A_NAME.search(text)
    name = _OLD_NAME_AFTER.sub("", match["name"]).strip() if match else ""
    if len(name) < 2 or len(name.split()) > 5 or _TALK.search(name) or _SAID_OF_A_NAME.match(name):
        return None
    return name


def _without_talk_before_name(parts: List[str]) -> List[str]:
    """ "no i said different address, Kari Nordmann, Bryggen 3, …": a first part of talk before the
    name (the part with no digit just before the street's) is no part of the address."""
    if len(parts) >= 5 and _TALK.search(parts[0]) and not re.search(r"\d", parts[0] + parts[1]) \
            and re.search(r"\d", parts[2]) and not _TALK.search(parts[1]):
        return parts[1:]
    return parts


def _parse_parts(parts: List[str]) -> Tuple[Optional[Dict[str, str]], Optional[str], Optional[str]]:
    """(the address, None, None), or (None, the problem, the area not served when that is it)."""
    parts = _with_the_uk(parts)
    if len(parts) < 4:
        # "Ada Lovelace, 12 Market Street, 10115 Berlin": all but the country
        ends_at_town = len(parts) == 3 and _postcode_in(parts[-1]) and country_code(parts[-1]) is None
        return None, "no_country" if ends_at_town else "parts", None
    parts = _without_talk_before_name(parts)
    # "Name: Ada", "fine. Lukas Berger": the name after a label or a word of agreement
    name, country = _name_after_talk(_AGREEING_FIRST.sub("", parts[0].rsplit(":", 1)[-1].strip())), parts[-1]
    if re.search(r"\d", name) or len(name) < 2:
        return None, "name", None
    code = country_code(country)
    if code is None:
        if _fold(country) in _NOT_SHIPPED:  # "…, Gibraltar", "…, Channel Islands": the area is the "country"
            return None, "not_shipped", foreign_place(country) if _fold(country) in _AREAS_AS_COUNTRIES else None
        return None, "country", None
    # The town's part is the last one (before the country) holding a postcode; not the street's.
    at = next((i for i in range(len(parts) - 2, 1, -1) if _postcode_in(parts[i])), None)
    if at is None:
        return None, "postcode", None
    match = _postcode_in(parts[at])
    city = re.sub(r"\s+", " ", parts[at][:match.start()] + " " + parts[at][match.end():]).strip(" -")
    streets = parts[1:at]
    if not city and at + 1 < len(parts) - 1:  # "10115, Berlin"
        city = parts[at + 1]
    elif not city and len(streets) > 1:  # "London, NW1 6XE"
        city = streets.pop()
    if not city:
        return None, "city", None
    if len(streets) > 1 and _UNIT.match(streets[0]) and not _UNIT.match(streets[1]):
        streets[0], streets[1] = streets[1], streets[0]
    address = {"name": name, "line1": streets[0], "city": city,
               "postal_code": re.sub(r"\s+", " ", match.group(0).upper()), "country": code}
    if len(streets) > 1:
        address["line2"] = ", ".join(streets[1:])
    if outside_the_vat_area(address):  # "…, 35002 Las Palmas de Gran Canaria, Spain"
        return None, "not_shipped", area_of(address)
    return address, None, None


# A whole UK postcode ending the town's part ("Leeds LS1 4DY"): no other country writes one so.
_UK_POSTCODE_AT_END = re.compile(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}$")


def _with_the_uk(parts: List[str]) -> List[str]:
    """The parts with "UK" after a last part ending in a UK postcode ("9 Oak Road, Leeds LS1 4DY":
    QA16 F5, the address had been asked for again); as they are otherwise."""
    if len(parts) >= 2 and _UK_POSTCODE_AT_END.search(parts[-1]) and country_code(parts[-1]) is None:
        return parts + ["UK"]
    return parts


# "oh and add 2 more …", "pls remove …": a change of items, whatever place it ends in.
_CHANGES_ITEMS = re.compile(r"(?i)^\W*(?:(?:oh|and|ok(?:ay)?|so|also|pls|please|can you|could you|now)\W+)*"
                            r"(?:add|remove|drop|take out|plus|make it)\b")
# "2 bags of colombia", "3 packs of the kenya": a product by its origin.
_ORIGIN_AT_END = re.compile(r"(?i)\b(?:bags?|packs?|packets?|pouch(?:es)?|tins?|boxes?)\s+(?:of\s+)?(?:the\s+)?"
                            r"[a-z]+(?:\s+[a-z]+)?\W*$")


def tries_an_address(text: Optional[str]) -> bool:
    """ "Bob Brown 5 High Street Cork T12 AB34 Ireland": a number and a country at the end, commas
    or not; an address however badly written, whose form then says what it needs."""
    if _CHANGES_ITEMS.match(text or "") or _ORIGIN_AT_END.search(text or ""):
        return False  # "add 2 more bags of colombia": the beans (QA F30), never an address
    words = re.findall(r"[a-z]+", (text or "").lower())
    ends_in_country = any(country_code(" ".join(words[-n:])) or " ".join(words[-n:]) in _NOT_SHIPPED
                          for n in (1, 2, 3) if len(words) > n)
    return bool(re.search(r"\d", text or "")) and ends_in_country and len(words) >= 4


def looks_like_address(text: Optional[str]) -> bool:
    """Parts ending in a country (one we ship to or not): an address, right or wrong, worth
    explaining what is wrong with rather than ignoring."""
    return _ends_in_a_country(_address_parts(text or ""))


def _ends_in_a_country(parts: List[str]) -> bool:
    """Three parts or more ending in a country, or a street with its number and a town with a UK
    postcode ("9 Oak Road, Leeds LS1 4DY"; the name and the country may be left out there)."""
    if len(parts) >= 2 and re.search(r"\d", parts[-2]) and _with_the_uk(parts) != parts:
        return True
    return len(parts) >= 3 and (country_code(parts[-1]) is not None or _fold(parts[-1]) in _NOT_SHIPPED)


def within_address(value: Optional[str], text: Optional[str]) -> bool:
    """True when `value` ("10115") is a postcode or house number of an address in `text` (parts
    ending in a country, even one we don't ship to or with the name missing), which the
    order-number pattern would otherwise take for an order."""
    parts = _address_parts(text or "")
    if not value or str(value).upper().startswith("OB"):
        return False
    if not _ends_in_a_country(parts):
        return _after_a_street(str(value), text or "")
    return any(str(value) in part for part in parts[1:-1]) or (
        str(value) in parts[0] and not re.search(r"(?i)\border\b", parts[0]))


def _after_a_street(value: str, text: str) -> bool:
    """ "… to Via Nazionale 5, 00184 Roma": a postcode before its town, right after a street with its
    number, in an address without its country (QA17: "I can't find order 00184")."""
    return re.search(rf"(?i)[^\W\d_]{{2,}}\.?\s+\d{{1,4}}[a-z]?\s*,\s*{re.escape(value)}\s+[^\W\d_]{{3,}}", text) is not None


def is_address(text: Optional[str]) -> bool:
    return parse_address(text)[0] is not None


def format_address(address: Dict[str, Any]) -> str:
    parts = [address.get("name"), address.get("line1"), address.get("line2"),
             f"{address.get('postal_code', '')} {address.get('city', '')}".strip(), address.get("country")]
    return ", ".join(str(part) for part in parts if part)


def quantity_in(text: Optional[str]) -> Optional[int]:
    """A bare quantity answer ("3", "3 please", "make it 2"), or None."""
    match = re.search(r"\b(\d{1,3})\b", text or "")
    return int(match.group(1)) if match else None


# "I'd like to order 8 green mugs" is an order even when it reads like a product question.
_ORDER_VERB = re.compile(r"(?i)\b(order|buy|purchase|i'?ll take|i will take|get me|send me)\b")
_WANT_WITH_QUANTITY = re.compile(
    r"(?i)\b(i'?d like|i would like|(?:i )?want|(?:i )?wanna|(?:i )?need|can i (?:get|have)|give me)\b.*"
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a dozen|a couple of|a pair of)\b")
# "i want the stovetop espresso maker", "i'll get the electric one": a thing to have, named.
_WANT_THE_THING = re.compile(r"(?i)\b(?:i'?d like|i would like|i want|i need|i'?ll get|i will get|i'?ll have|"
                             r"can i (?:get|have)|give me)\s+(?:the|this|that|a|an)\s+\w")
# "2 white mugs please": a quantity first and a please.
_QUANTITY_PLEASE = re.compile(
    r"(?i)^\s*(\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|a dozen)\s+\w.*\b(please|pls|plz)\b")
# "a mug and a teapot", "an electric kettle, a gooseneck kettle": things listed one by one, each
# with its "a" (a customer's list is an order; "a mug" alone is its card), no question.
_LISTED_THINGS = re.compile(r"(?i)^\s*(?:an?|one)\s+[^?]+?(?:\s+and|\s*,|\s*&|\s+plus)\s+(?:an?|one|\d{1,2})\s+[a-z][^?]*$")
# Whole words: "Costa" in an address is no "cost", "whatever" no "what".
_ASKING = re.compile(r"(?i)\b(?:(?:how much|pric(?:e|es|ed)|costs?|in stock|available|do you (?:have|sell)|"
                     r"know|details|tell me|what(?:'?s)?|which|where is|status|"
                     r"how (?:big|heavy|tall|large|small|wide|long|hot)|dishwasher|microwave\w*|induction|made of|"
                     r"weigh\w*|differences?|compare[sd]?|does (?:it|the|this|that))\b|is (?:it|the|this|that)\b[^?]*\?)")


_CHANGE_VERB = re.compile(r"(?i)\b(add|remove|drop|delete|make it|instead|replace|swap|change|more|less|fewer|"
                          r"without|plus|also|too)\b")


# A question is no answer to "Shall I …?" ("what happens next?", "ok so i just post it?"), unless it
# starts with a plain yes or no ("yes, and when will it come?").
_QUESTION = re.compile(r"(?i)\?\s*$|^\s*(?:(?:ok(?:ay)?|so|and|but|well|hmm+)[\s,]+)*"
                       r"(?:what|how|when|where|why|which|who|will|would|can|could|do|does|did|should|shall)\b")
_PLAIN_YES_OR_NO = re.compile(r"(?i)^\s*(?:yes|yeah|yep|yup|yess+|sure|absolutely|of course|definitely|haan|han|"
                              r"ji|go ahead|please do|do it|no|nope|nah|nahi|nahin|don'?t|do not)\b")


# "yes? whats the total again", "ok?? how much is it": a yes asked back, then a question; no consent.
_QUESTIONING_YES = re.compile(r"(?i)^\W*(?:yes|yeah|yep|yup|ok(?:ay)?|sure|right|fine)\s*\?+\W*\w")


def asks_instead_of_answering(text: Optional[str]) -> bool:
    text = text or ""
    return not text.startswith("/") and (bool(_QUESTIONING_YES.match(text)) or (
        bool(_QUESTION.search(text)) and not _PLAIN_YES_OR_NO.match(text)))


# "maybe", "hmm idk", "umm", "i guess": no yes, whatever the NLU makes of it.
_HESITANT = re.compile(
    r"(?i)^\s*(?:(?:maybe|mayb|perhaps|possibly|probably|idk|dunno|i dunno|i don'?t know|dont know|"
    r"not sure|unsure|no idea|i guess(?: so)?|i think so|hmm*|um+m*|uh+m*|erm+|err+|well|kinda|sort of|"
    r"let me think|not really sure|shayad|pata nahi?)[\s,.!?]*)+$")


# "no its fine", "nope, keep it": a no whatever else follows (the NLU read some as yes).
_STARTS_WITH_NO = re.compile(r"(?i)^\s*(?:(?:hmm+|umm*|uh+|erm+|ah+|well)[\s,]+)?"  # "hmm no dont return it"
                             r"(?:no|nope|nah|nahi|nahin|na|nein|non|don'?t|do not|not now)\b(?![-/])")
# "its fine", "hmm ok", "not sure abt this": neither yes nor no.
_NEITHER = re.compile(r"(?i)^\s*(?:(?:hmm+|umm*|uh+)[\s,]+|(?:it'?s|its|thats|that'?s)\s+)(?:fine|ok(?:ay)?|alright)[\s.!]*$|"
                      r"\b(?:not sure|unsure|idk|dunno|maybe|perhaps)\b")


_CHAT_SHORTHAND = frozenset("pls plz plss thx thnx tnx hmm hm mm mmm brb ty np nvm wtf omg k kk ppl msg pm bt "
                            "bcz bcoz frnd shd cld wld rply srsly btw fyi tbh idk".split())


def looks_like_gibberish(text: Optional[str]) -> bool:
    """ "lkjlkj", "sdfghj": letters that make no words (no vowel, or five consonants in a row), not
    chat shorthand ("pls", "thx", "hmm")."""
    words = [w for w in re.findall(r"[a-z]+", (text or "").lower()) if w not in _CHAT_SHORTHAND]
    return bool(words) and len("".join(words)) >= 3 and not re.search(r"\d", text or "") and all(
        not re.search(r"[aeiouy]", word) or re.search(r"[^aeiouy]{5}", word) for word in words)


# "sorry i meant yes", "wait no actually place it", "no. just place the order": the last part decides.
_CHANGE_OF_MIND = re.compile(r"(?i)\b(?:actually|i mean|i meant|sorry|wait|oh|on second thought)\b|[.!;]")
_NOT_A_NO = re.compile(r"(?i)\bno (?:problem|prob|probs|worries|issues?|rush)\b")
_YES = re.compile(r"(?i)\b(?:yes|yeah|yep|yup|yess+|sure|go ahead|place (?:it|the order|my order)|do it|confirm|"
                  r"please do|proceed|haan|han|ji|oui|si|sí|claro|ja|absolutely|of course|definitely|"
                  r"do the needful)\b")
_NO_WORD = re.compile(r"(?i)\b(?:no|nope|nah|nahi|nahin|don'?t|do not|not|never|keep it|leave it)\b")
# "no more changes, place it", "nope that's all, go ahead", "don't change anything, just place it":
# a request to go ahead wins over the no words before it (the order had been thrown away); not
# "don't place it", "no need to go ahead", "place it later", nor "go ahead and cancel it".
_GO_AHEAD = re.compile(r"(?i)\b(?:place|confirm|submit|book)\s+(?:it|the order|my order|that|this|them)\b|"
                       r"\bgo ahead\b|\bproceed\b")
_NOT_GOING_AHEAD = re.compile(
    r"(?i)\b(?:don'?t|dont|do not|not|never|no need to|rather not|won'?t|can'?t|cannot|shouldn'?t|wouldn'?t)\s+"
    r"(?:\w+\s+){0,2}?(?:place|confirm|submit|book|go ahead|proceed)\b|\b(?:later|yet|tomorrow)\b|"
    r"\b(?:cancel\w*|scrap|discard|delete|remove|drop|release)\b")
# "yes but make it 2 caddies", "ok, except the infuser": a yes that asks for something else first.
_YES_AND_BUT = re.compile(r"(?i)^\W*(?:(?:yes|yeah|yep|yup|ok(?:ay)?|sure|fine|alright|go ahead|do it)\b[\s,.!]*)+"
                          r"(?:but|except|though|although|only if|as long as)\b")


def qualified_yes(text: Optional[str]) -> bool:
    """ "yes but make it 2 caddies", "yes? whats the total again": a yes that is no consent as it
    stands (a change or a question comes with it)."""
    return bool(_YES_AND_BUT.match(text or "") or _QUESTIONING_YES.match(text or ""))


# Words that agree: an "affirm" without any of them ("same address") is no consent to act.
_AGREEING = re.compile(r"(?i)\b(?:y|ye|yes|yeah|yea|yep|yup|ya|yah|yess+|ok|okay|okey|k|kk|sure|fine|alright|all right|"
                       r"right|correct|confirm\w*|go|do|does|please|pls|plz|place|cancel|change|register|return|"
                       r"update|good|perfect|great|absolutely|definitely|of course|exactly|indeed|agreed?|deal|done|"
                       r"haan|han|ji|theek|thik|accha|acha|oui|si|sí|ja|claro|proceed|continue|that'?s it|works|sounds|cool|nice|"
                       r"lovely|brilliant|why not|agree|affirmative|aye)\b|[👍👌✅✔]")


def agrees(text: Optional[str]) -> bool:
    """The message has a word of agreement, or is a button's payload ("/affirm")."""
    return bool((text or "").startswith("/") or _AGREEING.search(text or ""))


def decided_answer(text: Optional[str]) -> Optional[str]:
    """ "yes" or "no" as the message's last part says it ("sorry i meant yes" → "yes", "no problem,
    go ahead" → "yes", "no, keep it" → "no"); None when it says neither plainly."""
    thumbs_up, thumbs_down = re.search("[👍👌✅✔]", text or ""), re.search("[👎❌]", text or "")
    if bool(thumbs_up) != bool(thumbs_down):
        return "yes" if thumbs_up else "no"
    parts = [part for part in _CHANGE_OF_MIND.split(_NOT_A_NO.sub(" ", text or "")) if re.search(r"\w", part)]
    if not parts or _HOLD_ON.search(text or ""):  # "yes but wait": nothing decided yet
        return None
    last = parts[-1]
    # "what? no", "huh?? nope": the no after a puzzled question decides (it had been read as unsure)
    after_a_question = last.rsplit("?", 1)[-1]
    if "?" in last and re.search(r"\w", after_a_question) and _STARTS_WITH_NO.match(after_a_question):
        return "no"
    if qualified_yes(last):
        return None
    if _GO_AHEAD.search(last) and not _NOT_GOING_AHEAD.search(last):
        return "yes"
    if _STARTS_WITH_NO.match(last) or re.match(r"(?i)\s*(?:keep|leave) (?:it|them)\b", last):
        return "no"
    return "yes" if _YES.search(last) and not _NO_WORD.search(last) else None


# "whats the total so far", "what's in my basket?", "show me my cart", "what have i ordered so far",
# "whats that come to with delivery?", "how much is all that so far?": the order being made asked about.
_ORDER_SO_FAR = re.compile(
    r"(?i)\b(?:sub-?)?total\b|"
    r"\bhow much (?:is|does|will|would|'?s) (?:it|that|this|the order|my order|everything|all (?:of )?(?:it|that|this))"
    r"(?: all)?(?: (?:be|come to|cost|come))?(?: (?:so far|now|altogether|all together|in total|(?:with|including|incl\.?) "
    r"(?:the )?(?:delivery|shipping|postage)))?\s*\??\s*$|"
    r"\bwhat(?:'?s| is| does| do| will| would)? (?:that|it|this|everything|all (?:of )?(?:it|that|this)|the order|my order|"
    r"the lot)(?: all)? (?:come|comes|add up|adds up|coming) to\b|"
    r"\bwhat(?:'?s| is) in (?:my|the) (?:basket|cart|trolley|order)\b|"
    r"\bwhat (?:have|did) i (?:order(?:ed)?|add(?:ed)?|got|chosen|chose|picked)\b|"
    r"\b(?:show|see|check|view|list)(?: me)? (?:my|the) (?:basket|cart|trolley|order so far|items so far)\b|"
    r"\bmy (?:basket|cart)\b")
# An order placed before ("what did i order last time"), or an edit ("add it to my cart"): not this one's total.
_NOT_THE_ORDER_SO_FAR = re.compile(r"(?i)\b(?:last (?:time|order|week|month)|before|previous\w*|yesterday|other order|"
                                   r"add|put|remove|take out|drop|swap|delete)\b")


def asks_for_the_order_so_far(text: Optional[str]) -> bool:
    text = text or ""
    return bool(_ORDER_SO_FAR.search(text)) and (
        "so far" in text.lower() or not _NOT_THE_ORDER_SO_FAR.search(text))


_HOLD_ON = re.compile(r"(?i)\b(?:wait|hold on|hang on|one sec(?:ond)?|just a (?:sec|min(?:ute)?)|not yet)\W*$")
# Where a yes ends and a question of its own begins: "yes pls. will it …", "yes go ahead, when …",
# "yep place it - is it …", "yes when will it come".
_AFTER_THE_YES = re.compile(r"(?i)\s*(?:[.!;,:]+|\s[-–—]+)\s*|\s+(?=(?:and |so |but )?(?:when|will|would|is|are|how|what|"
                            r"can|could|do|does|did)\b)")


def yes_then_a_question(text: Optional[str]) -> Optional[str]:
    """The question after a clear yes that opens the message ("yes pls. will it arrive before friday?"
    → "will it arrive before friday?"); None when the message doesn't open with one ("yes? whats the
    total", "yes but make it 2") or asks nothing after it. The yes answers the question asked; the
    last part, which decides otherwise (`decided_answer`), is a question of its own."""
    text = text or ""
    for cut in _AFTER_THE_YES.finditer(text):
        opening, rest = text[:cut.start()], text[cut.end():]
        if not re.search(r"\w", opening):
            continue
        if decided_answer(opening) != "yes" or _NO_WORD.search(opening) or qualified_yes(text) or hesitates(text):
            return None
        return rest.strip() if _QUESTION.search(rest) else None
    return None


def torn(text: Optional[str]) -> bool:
    """ "yes no wait", "ok... hold on", "yes no": a yes and a no (or a "wait") that no last part
    settles; never consent to act."""
    if decided_answer(text) is not None:
        return False
    text = text or ""
    return bool(agrees(text) and not text.startswith("/") and (_NO_WORD.search(text) or _HOLD_ON.search(text)))


def is_noise(text: Optional[str]) -> bool:
    """ ".", "…", "", " ", "x": nothing said at all (no yes, however the NLU reads it)."""
    letters = re.sub(r"[^a-z0-9👍👌✅✔👎❌]", "", (text or "").lower())
    return not letters or (len(letters) == 1 and letters not in "ynk👍👌✅✔👎❌")


def hesitates(text: Optional[str]) -> bool:
    text = text or ""
    return bool(_HESITANT.match(text) or (_NEITHER.search(text) and not _PLAIN_YES_OR_NO.match(text)))


def says_no(text: Optional[str]) -> bool:
    return bool(_STARTS_WITH_NO.match(text or ""))


def only_asks(text: Optional[str]) -> bool:
    """ "how much is the glass teapot?" asks about a product; "add a glass teapot" changes an order."""
    text = text or ""
    return bool(_ASKING.search(text)) and not _CHANGE_VERB.search(text)


# "2 glases": a quantity and a word the catalogue matcher did not take as a product.
_COUNTED_WORD = re.compile(r"(?i)\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|dozen)\s+([a-z][a-z'-]{2,})")
_NOT_ITEMS = frozenset("""of more pcs pieces piece units unit packs pack boxes box sets set bags bag kg
    grams items things times days weeks hours minutes mins euro euros eur dollars pounds percent
    please pls more less instead only then each total altogether""".split())


def unmatched_items(text: Optional[str], product_spans: List[Tuple[int, int]]) -> List[str]:
    """Words counted like items ("2 glases") that no product entity covers: not in the catalogue."""
    words = []
    for match in _COUNTED_WORD.finditer(text or ""):
        start, end = match.span(2)
        word = match.group(2).lower()
        if word not in _NOT_ITEMS and word not in _STOP_WORDS and not any(
                s < end and start < e for s, e in product_spans):
            words.append(match.group(2))
    return words


def wants_to_order(text: Optional[str]) -> bool:
    """True for a message that asks to buy ("order 8 green mugs", "i want 2 teapots"), not to know."""
    text = text or ""
    if _ASKING.search(text):
        return False
    return asks_to_buy(text) or bool(_WANT_THE_THING.search(text) or _LISTED_THINGS.search(text))


def asks_to_buy(text: Optional[str]) -> bool:
    """An order in so many words: "order 2 mugs", "i want 2 teapots", "2 white mugs please" (not "i
    want a replacement, the mug is broken")."""
    text = text or ""
    if _ASKING.search(text):
        return False
    return bool(_ORDER_VERB.search(text) or _WANT_WITH_QUANTITY.search(text) or _QUANTITY_PLEASE.search(text))
