"""Pure helpers that read order numbers, contacts and search words from user text."""
from __future__ import annotations

import pytest

from actions.parsing import (agrees, asks_instead_of_answering, contact_detail, contact_with_address, country_code, only_asks, decided_answer,
                             foreign_place, format_address, format_price, is_noise, order_number, parse_address, quantity_in, search_terms,
                             unmatched_items, wants_to_order, within_address, within_phone_number)


@pytest.mark.parametrize("text, expected", [
    ("my order 1042 is late", "1042"),
    ("Order #104233", "104233"),
    ("ob-kr3fc2v4", "OB-KR3FC2V4"),
    ("where is OBKR3FC2V4", "OB-KR3FC2V4"),
    ("order D0003403 pls", "OB-D0003403"),
    ("track kr3fc2v4", "OB-KR3FC2V4"),
    ("my password is abcdefgh", None),
    ("order 7KBXJMGK?", "OB-7KBXJMGK"),
    ("status OB 3NXJBEPF", "OB-3NXJBEPF"),
    ("track DSK9YCGR", "OB-DSK9YCGR"),
    ("where is order GJHXFBPY", "OB-GJHXFBPY"),
    ("track packages", None),
    ("i want to order upstairs", None),
    ("order status", None),
    ("call me at 12", None),
    (None, None),
    # t4 M9: a pasted order email; the year of its date is no order number, the OB- number wins
    ("Order number: OB-SEV2VWFK\nDate: 7 Dec 2026\nwhere is it", "OB-SEV2VWFK"),
    ("Date: 7 Dec 2026\nOrder OB-SEV2VWFK", "OB-SEV2VWFK"),
    ("ordered on 2026-12-07, order 3403", "3403"),
    ("placed December 7, 2026", None),
    ("on 07/12/2026", None),
    ("i ordered it in 2025", None),
    ("order 2026 pls", "2026"),
])
def test_order_number(text, expected):
    assert order_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("it's Ada@Example.com thanks", "ada@example.com"),
    ("+353 85 123 4567", "+353851234567"),
    ("085-123-4567", "0851234567"),
    ("no idea", None),
    ("1234", None),
])
def test_contact_detail(text, expected):
    assert contact_detail(text) == expected


def test_format_price_known_and_unknown_currency():
    assert format_price(123456, "EUR") == "€1,234.56"
    assert format_price(990, "CHF") == "9.90 CHF"


def test_search_terms_drop_filler_words():
    assert search_terms("do you have any blue mugs in stock?") == ["blue", "mugs"]


@pytest.mark.parametrize("text, expected", [
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
    ("Max Muster, Hauptstrasse 5, 10115 Berlin, Germany",
     {"name": "Max Muster", "line1": "Hauptstrasse 5", "city": "Berlin", "postal_code": "10115", "country": "DE"}),
    ("Jan Jansen, Keizersgracht 120, 1015 cw Amsterdam, NL",
     {"name": "Jan Jansen", "line1": "Keizersgracht 120", "city": "Amsterdam", "postal_code": "1015 CW",
      "country": "NL"}),
    ("Tom Hardy, 12 Baker Street, London, NW1 6XE, UK",
     {"name": "Tom Hardy", "line1": "12 Baker Street", "city": "London", "postal_code": "NW1 6XE", "country": "GB"}),
    ("Max Muster, Flat 3B, 22 Hauptstrasse, 10115 Berlin, Germany",
     {"name": "Max Muster", "line1": "22 Hauptstrasse", "line2": "Flat 3B", "city": "Berlin",
      "postal_code": "10115", "country": "DE"}),
    ("change the address of my order to Max Muster, 22 Hauptstrasse, 10115 Berlin, Germany",
     {"name": "Max Muster", "line1": "22 Hauptstrasse", "city": "Berlin", "postal_code": "10115", "country": "DE"}),
    ("update address for my order please, it should go to Jane Doe, 5 Rue de Rivoli, 75001 Paris, France",
     {"name": "Jane Doe", "line1": "5 Rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FR"}),
    ("Anna Schmidt\nKönigsallee 5\n40212 Düsseldorf\nDeutschland",
     {"name": "Anna Schmidt", "line1": "Königsallee 5", "city": "Düsseldorf", "postal_code": "40212",
      "country": "DE"}),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland please",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
    ("Ada Lovelace, Ship Street 4, Dublin D02 X285, Ireland",
     {"name": "Ada Lovelace", "line1": "Ship Street 4", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
    ("ok so Bob Brown, 4 High Road, Cork T12 AB34, Ireland",
     {"name": "Bob Brown", "line1": "4 High Road", "city": "Cork", "postal_code": "T12 AB34", "country": "IE"}),
    ("sure, its Maria Garcia, Calle Mayor 10, 28013 Madrid, Spain",
     {"name": "Maria Garcia", "line1": "Calle Mayor 10", "city": "Madrid", "postal_code": "28013", "country": "ES"}),
    ("hi there, Bob Brown, 4 High Road, Cork T12 AB34, Ireland",
     {"name": "Bob Brown", "line1": "4 High Road", "city": "Cork", "postal_code": "T12 AB34", "country": "IE"}),
    ("its Sonia Okafor, 4 High Road, Cork T12 AB34, Ireland",
     {"name": "Sonia Okafor", "line1": "4 High Road", "city": "Cork", "postal_code": "T12 AB34", "country": "IE"}),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, ada@example.com",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
    ("Max Muster, Hauptstrasse 5, 10115 Berlin, germny",
     {"name": "Max Muster", "line1": "Hauptstrasse 5", "city": "Berlin", "postal_code": "10115", "country": "DE"}),
    ("Max Muster, Hauptstrasse 5, 10115, Berlin, Germany",
     {"name": "Max Muster", "line1": "Hauptstrasse 5", "city": "Berlin", "postal_code": "10115", "country": "DE"}),
    ("please change the address to Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
    ("ship it to my office: Acme Ltd, 3 Dock Road, Dublin D02 X285, Ireland",
     {"name": "Acme Ltd", "line1": "3 Dock Road", "city": "Dublin", "postal_code": "D02 X285", "country": "IE"}),
    ("new address: Ada Lovelace, 1200 Long Road, Apt 4, 75001 Paris, France",
     {"name": "Ada Lovelace", "line1": "1200 Long Road", "line2": "Apt 4", "city": "Paris", "postal_code": "75001",
      "country": "FR"}),
    # postcodes with a space or a country letter: all of it is the postcode, none of it the town
    ("Jan Novak, Vodickova 12, 110 00 Praha, Czech Republic",
     {"name": "Jan Novak", "line1": "Vodickova 12", "city": "Praha", "postal_code": "110 00", "country": "CZ"}),
    ("Sven Berg, Drottninggatan 5, 111 51 Stockholm, Sweden",
     {"name": "Sven Berg", "line1": "Drottninggatan 5", "city": "Stockholm", "postal_code": "111 51",
      "country": "SE"}),
    ("Marie Weber, 5 Rue de la Gare, L-1234 Luxembourg, Luxembourg",
     {"name": "Marie Weber", "line1": "5 Rue de la Gare", "city": "Luxembourg", "postal_code": "L-1234",
      "country": "LU"}),
    ("Anna Borg, 12 Triq il-Kbira, Valletta VLT 1117, Malta",
     {"name": "Anna Borg", "line1": "12 Triq il-Kbira", "city": "Valletta", "postal_code": "VLT 1117",
      "country": "MT"}),
    ("Joao Silva, Avenida da Liberdade 100, 1250-096 Lisboa, Portugal",
     {"name": "Joao Silva", "line1": "Avenida da Liberdade 100", "city": "Lisboa", "postal_code": "1250-096",
      "country": "PT"}),
    # a phone number after the country is the contact, not a broken country
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, phone 087 123 4567",
     {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin", "postal_code": "D02 X285",
      "country": "IE"}),
])
def test_parse_address(text, expected):
    assert parse_address(text) == (expected, None)


@pytest.mark.parametrize("text, contact", [
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, ada@example.com", "ada@example.com"),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, +353 87 123 4567", "+353871234567"),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, 087 123 4567", "0871234567"),
    ("Joao Silva, Avenida da Liberdade 100, 1250-096 Lisboa, Portugal", None),  # a postcode, no phone
    ("Joao Silva, Avenida da Liberdade 100 1250-096 Lisboa, Portugal", None),
    ("Jan Novak, Vodickova 12, 110 00 Praha, Czech Republic", None),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland, ada@example.com, +353 87 123 4567",
     "ada@example.com, +353871234567"),
])
def test_contact_given_with_an_address_is_never_its_postcode(text, contact):
    assert contact_with_address(text) == contact


@pytest.mark.parametrize("text, problem", [
    ("12 Market Street, Dublin D02 X285, Ireland", "parts"),
    ("Ada Lovelace, 12 Market Street, 10115 Berlin", "no_country"),
    ("A Rao, 1 Long St, 2000 Sydney, austrlia", "country"),  # not Austria
    ("12 Market Street, Main Road, Dublin D02 X285, Ireland", "name"),
    ("Ada Lovelace, 12 Market Street, Dublin D02 X285, Atlantis", "country"),
    ("Asha Rao, 12 MG Road, Bengaluru 560001, India", "not_shipped"),
    ("John Smith, 5 Elm St, Springfield 62701, USA", "not_shipped"),
    ("Ada Lovelace, 12 Market Street, Dublin, Ireland", "postcode"),
    ("Ada Lovelace, 12 Market Street, D02 X285, Ireland", "city"),
    # the request is no name: asked for, never "i moved" with "pls send it to Flat 2" as the street
    ("i moved, pls send it to Flat 2, 5 High Street, Manchester M1 1AA, UK instead", "name"),
    (None, "parts"),
])
def test_parse_address_problem(text, problem):
    assert parse_address(text) == (None, problem)


def test_within_address_only_the_addresses_numbers():
    text = "change address to Max Muster, 22 Hauptstrasse, 10115 Berlin, Germany"
    assert within_address("10115", text) and within_address("22", text)
    assert not within_address("OB-KR3FC2V4", text + " for OB-KR3FC2V4")
    assert not within_address("1042", "where is order 1042")
    nameless = "can you change the address on my order to 22 Hauptstrasse, 10115 Berlin, Germany"
    assert within_address("10115", nameless)
    assert within_address("10118", "change it to John Smith, 350 5th Ave, New York NY 10118, USA")
    assert not within_address("1042", "change the address of order 1042 to Ada, 1 Main St, 75001 Paris, France")


def test_country_code_names_and_codes():
    assert [country_code(t) for t in ("Ireland", "ie", "The Netherlands", "Mars")] == ["IE", "IE", "NL", None]


def test_format_address():
    address = {"name": "Ada", "line1": "1 Road", "line2": None, "city": "Cork", "postal_code": "T12", "country": "IE"}
    assert format_address(address) == "Ada, 1 Road, T12 Cork, IE"


def test_quantity_in():
    assert [quantity_in(t) for t in ("3", "make it 12 please", "none")] == [3, 12, None]


@pytest.mark.parametrize("text, expected", [
    ("I'd like to order 8 green mugs", True),
    ("i want 2 teapots", True),
    ("need 3 tea infusers pls", True),  # a fragment, no "i"
    ("want 2 blue mugs", True),
    ("2 white mugs please", True),
    ("do you have 2 blue mugs", False),
    ("how much for 2 mugs", False),
    ("i want to know if 2 mugs fit in the box", False),
    ("i want the stovetop espresso maker", True),
    ("i'll get the electric one", True),
    ("i want the price of the teapot", False),
])
def test_wants_to_order(text, expected):
    assert wants_to_order(text) is expected


def test_within_phone_number():
    assert within_phone_number("7700", "its +44 7700 900123")
    assert not within_phone_number("1042", "my order 1042 is late")
    assert not within_phone_number("10423456", "order 10423456")  # 8 digits: an order number


def test_unmatched_items_are_counted_words_no_product_covers():
    assert unmatched_items("i want 2 glases and a teapot", [(22, 28)]) == ["glases"]
    assert unmatched_items("ok 2 then", []) == []
    assert unmatched_items("2 blue mugs and 3 unicorns", [(2, 11)]) == ["unicorns"]
    assert unmatched_items("2 blue mugs", [(2, 11)]) == []
    assert unmatched_items("i want 2 pcs of the teapot, in 3 days", [(20, 26)]) == []


@pytest.mark.parametrize("text, asks", [
    ("what happens next?", True), ("ok and what do i do after that", True), ("ok so i just post it?", True),
    ("and then?", True), ("yes", False), ("ok", False), ("yes, and when will it come?", False),
    ("sure, how long?", False), ("do it", False), ("/affirm", False), ("no thanks", False),
])
def test_asks_instead_of_answering(text, asks):
    assert asks_instead_of_answering(text) is asks


@pytest.mark.parametrize("text, name", [
    ("i moved, please ship my order to Sofia Rossi, Via Roma 5, 00184 Rome, Italy", "Sofia Rossi"),
    ("use this address for my order please Ines Costa, Rua Augusta 20, 1100-053 Lisbon, Portugal", "Ines Costa"),
    ("redirect my order to Lukas Huber, Hauptplatz 4, 8010 Graz, Austria", "Lukas Huber"),
    ("mera order is address pe bhej do: Karan Mehta, Rue Neuve 3, 1000 Brussels, Belgium", "Karan Mehta"),
    ("Ada Lovelace, Ship Street 4, Dublin D02 X285, Ireland", "Ada Lovelace"),
    ("please send it to my mum Mary at 9 Main Street, Dublin D02 X285, Ireland", "Mary"),
    ("ship it to my sister Jane Doe at 14 Rue Oberkampf, 75011 Paris, France", "Jane Doe"),
    ("deliver to jane doe at 14 rue oberkampf, 75011 paris, france", "jane doe"),
    ("Tom Baker at 22 High Street, Oxford OX1 4AH, England", "Tom Baker"),
])
def test_the_name_after_request_words(text, name):
    assert parse_address(text)[0]["name"] == name


def test_address_labels_floors_and_a_name_kept_from_the_order():
    assert parse_address("Name: Tom Baker, Address: 22 High Street, Oxford OX1 4AH, England")[0] == {
        "name": "Tom Baker", "line1": "22 High Street", "city": "Oxford", "postal_code": "OX1 4AH", "country": "GB"}
    assert parse_address("Ada Lovelace, 3rd floor, 1 Grand Canal Square, Dublin D02 P820, Ireland")[0]["line1"] == (
        "1 Grand Canal Square")
    assert parse_address("send it to my office at 3 Dock Road, Dublin D01 K2F3, Ireland",
                         name="Ada Lovelace")[0]["name"] == "Ada Lovelace"
    assert parse_address("send it to my office at 3 Dock Road, Dublin D01 K2F3, Ireland") == (None, "parts")
    assert parse_address("change the address of my order to 5 Avenue Foch, 75116 Paris, France",
                         name="Pierre Martin")[0] == {
        "name": "Pierre Martin", "line1": "5 Avenue Foch", "city": "Paris", "postal_code": "75116", "country": "FR"}
    assert parse_address("change the address of order OB-D7H4SBES to Alan Turing, 9 Park Ave, Limerick, V94 XY12, "
                         "Ireland")[0] == {"name": "Alan Turing", "line1": "9 Park Ave", "city": "Limerick",
                                           "postal_code": "V94 XY12", "country": "IE"}
    assert parse_address("pls change delivery address of my order to:\nSophie Laurent\n14 Rue Oberkampf\n"
                         "75011 Paris\nFrance")[0]["name"] == "Sophie Laurent"


@pytest.mark.parametrize("text, decided", [
    ("sorry i meant yes", "yes"), ("wait no actually place it", "yes"), ("no problem, go ahead", "yes"),
    ("no. just place the order", "yes"), ("ok yes chase it", "yes"), ("👍", "yes"), ("oui", "yes"), ("sí", "yes"),
    ("nein danke", "no"),
    ("no, keep it", "no"), ("nah leave it", "no"), ("wait no actually keep it", "no"), ("👎", "no"),
    ("ok fine", None), ("maybe", None), ("yes no", None),
])
def test_decided_answer_is_what_the_last_words_say(text, decided):
    assert decided_answer(text) == decided


def test_noise_is_no_answer():
    assert [is_noise(t) for t in (".", "…", "", " ", "-", "x", "y", "k", "ok", "👍")] == [
        True, True, True, True, True, True, False, False, False, False]


def test_an_order_number_alone_when_asked_for():
    assert order_number("gjhxfbpy") is None and order_number("gjhxfbpy", asked=True) == "OB-GJHXFBPY"
    assert order_number("its DSK9YCGR.", asked=True) == "OB-DSK9YCGR"


def test_an_affirm_needs_a_word_that_agrees():
    """"same address" read as affirm had changed a placed order from €30.70 to €90.70."""
    for text in ("yes", "ok", "sure thing", "go for it", "yep do it", "/affirm", "👍", "that works", "correct"):
        assert agrees(text), text
    for text in ("same address", "the glass one", "tomorrow", "ada@example.com"):
        assert not agrees(text), text


def test_an_address_without_a_name_takes_the_orders_name_before_the_request_words():
    text = "i moved, pls send it to Flat 2, 5 High Street, Manchester M1 1AA, UK instead"
    assert parse_address(text, name="Ada Lovelace") == ({
        "name": "Ada Lovelace", "line1": "5 High Street", "line2": "Flat 2", "city": "Manchester",
        "postal_code": "M1 1AA", "country": "GB"}, None)


@pytest.mark.parametrize("text, asks", [
    ("how much is the glass teapot?", True),
    ("how heavy is the cast iron one? and is the glass one dishwasher safe", True),  # had picked cast iron
    ("whats the difference between them", True),
    ("does it work on induction", True),
    ("the glass one", False), ("the glass one?", False), ("glass pls", False), ("add a glass teapot", False),
])
def test_only_asks_a_question_about_a_product(text, asks):
    assert only_asks(text) is asks


@pytest.mark.parametrize("name, code", [("Polska", "PL"), ("Österreich", "AT"), ("Česko", "CZ"), ("Éire", "IE"),
                                        ("Sverige", "SE"), ("España", "ES")])
def test_a_country_as_people_there_write_it(name, code):
    assert country_code(name) == code


def test_a_word_of_agreement_is_no_part_of_the_name_and_a_trunk_zero_no_digit():
    """"fine. Lukas Berger, …" was stored as the name "fine. Lukas Berger"; "+44 (0)7700 900123"
    as +4407700900123."""
    from actions.parsing import contact_detail, parse_address
    assert parse_address("fine. Lukas Berger, Hauptstrasse 5, 10115 Berlin, Germany")[0]["name"] == "Lukas Berger"
    assert parse_address("Dr. Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")[0]["name"] == "Dr. Ada Lovelace"
    assert contact_detail("+44 (0)7700 900123") == "+447700900123"



@pytest.mark.parametrize("text, products, expected", [
    ("how long delivery to mumbai", [], "Mumbai"),
    ("2 x Colombia Huila Beans 250 g  €23.80", [(4, 24)], None),  # t4 M9: a pasted confirmation
    ("i'll take the colombia beans", [], None),
    ("colombia coffee, do you ship it to canada?", [], "Canada"),
    ("do you ship to colombia? i like the Colombia Huila", [(36, 50)], "Colombia"),
])
def test_a_place_in_a_products_name_is_no_destination(text, products, expected):
    assert foreign_place(text, products) == expected
