"""Browse and ask: what the shop sells, product details, prices and live stock."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Product
from actions.cancel_questions import answer_about_the_cancel, picks_an_order_to_cancel
from actions.faq import answer_about_deals_or_gift_cards
from actions.feedback import correct_the_rating_just_given, praises_what_was_received
from actions.language import is_foreign, only_english
from actions.order_slots import DRAFT, asks_to_place_after_an_aside, at_the_summary
from actions.order_so_far import tell_the_order_so_far
from actions.order_wording import ORDINAL
from actions.placed_order_edits import (CHANGING, QUESTION_BEFORE_A_CHANGE, adds_to_a_placed_order,
                                        answer_the_question_first, asks_back, part_of_the_message,
                                        question_then_a_change)
from actions.orders import (REQUESTED, TASK, ActionTrackOrder, answer_about_a_verified_order, answer_about_an_order,
                            picks_an_order_in_view, say_not_delivered_there, states_a_rating)
from actions.order_draft import is_removed
from actions.replacements import REPLACING
from actions.draft_edits import keeps_only_some, new_quantity
from actions.order_address import orders_with_its_address
from actions.order_form_start import names_only_an_order
from actions.takes_the_shown import TAKES_THE_SHOWN
from actions.unanswered_questions import answers_the_paused_choice, back_to_the_paused_order
from actions.parsing import format_price, only_asks, order_number, quantity_in, search_terms, wants_to_order
from actions.form_answers import previous_turn
from actions.product_questions import PRICE_ASKED, Answer, answer_about, details_of, orders_after_the_price
from actions.product_sizes import SIZE_RANKING, by_size, measure, ranks_by_size, sorted_by_size
from actions.return_continuations import continues_a_return
from actions.support import complain_about_what_came, complains
from actions.yes_to_cancel import read_as_a_yes, says_yes_to_the_cancel

logger = logging.getLogger(__name__)


CATEGORY_PAGE = 10  # products listed for "show me mugs"; the rest are counted
# "how many blue mugs do you have left": the number, not just "in stock".
ASKS_HOW_MANY = re.compile(r"(?i)\b(how many|how much stock|kitne|kitna stock|quantity (left|available)|left)\b")
# "tell me more about the french press", "what material is it": the product's attributes too.
ASKS_DETAILS = re.compile(r"(?i)\b(more about|details?|specs?|specifications?|features?|materials?|made (?:of|from)|"
                          r"sizes?|dimensions?|capacity|capacities|how big|volume|watt\w*|power|temperature|colou?rs?|"
                          r"describe|description|info|information)\b")
# "how many left", "stock hai?": about stock, so after a product was shown, about that product.
ASKS_STOCK = re.compile(r"(?i)\b(stock|left|available|availability|how many|kitne|kitna)\b")
# "is it in stock", "how much is that one": the products just shown.
REFERS_BACK = re.compile(r"(?i)\b(it|its|it'?s|that|this|these|those|them|they|(?:the|that|this)(?: \w+)? ones?)\b")
SHOWN = "shown_products"  # SKUs of the products the bot listed last
LISTED = "utter_product_list"
# "anything under 10 euro", "mugs below €15": a price limit.
PRICE_LIMIT = re.compile(r"(?i)\b(?:under|below|less than|cheaper than|max(?:imum)?|up ?to|within|not more than)"
                         r"\s*(?:€|eur\b|euros?\b)?\s*(\d{1,5}(?:[.,]\d{1,2})?)")
# "anything between 20 and 40 euro", "from €20 to €40".
PRICE_RANGE = re.compile(r"(?i)\b(?:between|from)\s*(?:€|eur\b)?\s*(\d{1,5}(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b)?"
                         r"\s*(?:and|-|to)\s*(?:€|eur\b)?\s*(\d{1,5}(?:[.,]\d{1,2})?)")
# "cheapest teapot?", "most expensive item": one product, by price.
RANKING = re.compile(r"(?i)\b(?:cheapest|cheaper|least expensive|less expensive|lowest price\w*|most affordable|"
                     r"(?P<top>most expensive|more expensive|priciest|pricier|costliest|dearer|highest price\w*))\b")
# "and the glass one?": one of the kind just shown, told apart by a word ("glass" alone is glassware).
# "the mug", "my kettle", "this teapot": one the customer has in hand (ordering it, just shown).
THE_ONE_MEANT = re.compile(r"(?i)\b(?:the|this|that|my|these|those)\s+[a-z]")
THE_X_ONE = re.compile(r"(?i)\bthe\s+[a-z-]+(?:\s+[a-z-]+)?\s+one\b")
# "whats the difference?", "compare them": the products in hand side by side.
COMPARES = re.compile(r"(?i)\b(?:differen(?:ce|ces|t)|differ|compare|comparison|vs|versus|pros and cons|"
                      r"which (?:one |of them )?(?:is|would you) (?:better|recommend))\b")
# "a bigger teapot than the glass one": what follows "than" is the one compared with.
THAN = re.compile(r"(?i)\bthan\b")
# "does the cast iron teapot come with an infuser?": the infuser is what it is asked about, not a product asked for.
COMES_WITH = re.compile(r"(?i)\b(?:(?:come|comes|coming|sold|supplied|delivered) with|includes?|including|"
                        r"(?:has|have) (?:a|an|its own))\s+(?:a |an |the )?$")
# "do the kettles have warranty": the shop's warranty, whatever the product.
WARRANTY = re.compile(r"(?i)\b(?:warrant(?:y|ies)|guarantee)\b")
# "do you sell toasters", "any frying pans?": asking for a thing, which may not be sold here.
ASKS_FOR_A_THING = re.compile(r"(?i)\b(do (?:you|u) (?:sell|have|stock|carry|make)|any|got|looking for|"
                              r"need|want|searching|search for|find)\b")
GENERIC_WORDS = frozenset("""products product items item things thing stuff catalogue catalog range shop store
    sale offer offers everything else anything something new today here list menu options kinds types
    sort sorts kind type hello hey help buy sell sells selling euro euros eur cheap""".split())
COLOURS = frozenset("""black white red blue green yellow orange pink purple grey gray brown beige gold silver
    navy teal turquoise""".split())


def price_limit_minor(text: str) -> Optional[int]:
    match = PRICE_LIMIT.search(text)
    return _minor(match.group(1)) if match else None


def price_range_minor(text: str) -> Tuple[Optional[int], Optional[int]]:
    """(lowest, highest) price asked for: "between 20 and 40 euro" → (2000, 4000), "under 10" →
    (None, 1000), else (None, None)."""
    match = PRICE_RANGE.search(text)
    if match:
        return _minor(match.group(1)), _minor(match.group(2))
    return None, price_limit_minor(text)


def _minor(amount: str) -> int:
    return round(float(amount.replace(",", ".")) * 100)


def missing_colour(text: str, products: List[Product]) -> Optional[str]:
    """A colour asked for ("yellow mugs") that none of `products` has, in its name or attributes."""
    asked = [word for word in re.findall(r"[a-z]+", text.lower()) if word in COLOURS]
    have = " ".join(f"{p.name} {' '.join(str(v) for v in p.attributes.values())}".lower() for p in products)
    return next((colour for colour in asked if colour not in have), None)


def _stock_phrase(product: Product, exact: bool = False) -> str:
    if product.available <= 0:
        return "out of stock"
    if product.available <= 5:
        return f"only {product.available} left"
    return f"{product.available} in stock" if exact else "in stock"


def describe_product(product: Product, exact: bool = False, details: bool = False) -> str:
    """"Ceramic Mug Blue: €12.90, in stock"; with `details`, its attributes and description."""
    price = format_price(product.price_minor, product.currency)
    line = f"{product.name}: {price}, {_stock_phrase(product, exact)}"
    if not details:
        return line
    attributes = details_of(product)
    return line + (f" ({attributes})" if attributes else "") + (f". {product.description}" if product.description else "")


async def stock_alternatives(backend: BackendClient, product: Product, exclude: Set[str], limit: int = 3) -> str:
    """Names of in-stock products of the same category, for a short-stock answer."""
    others = await backend.search_products(category=product.category, limit=20)
    names = [p.name for p in others if p.available > 0 and p.sku not in exclude and p.sku != product.sku]
    return ", ".join(names[:limit]) or "nothing similar right now"


class ActionShowProducts(Action):
    """Answers product questions from the live catalogue: matching products or, failing that, categories."""

    def name(self) -> Text:
        return "action_show_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answer = await self.answer(dispatcher, tracker, domain)
        # while "Which kettle would you like?" is open the order form asks that again: no "shall I place it?" too
        events = answer if _open_choice(tracker) else asks_to_place_after_an_aside(dispatcher, tracker, answer)
        if tracker.latest_action_name not in (None, "action_listen") and not any(
                e.get("event") == "followup" for e in events):
            # run as another action's follow-up ("mokka pot" read as an order): no rule knows
            # what comes next, and the policies' guess was "I didn't get that"; the answer is given
            events.append(FollowupAction("action_listen"))
        return events

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """The answer to the message; run adds what follows it."""
        named_products = next(tracker.get_latest_entity_values("product"), None) is not None
        text = tracker.latest_message.get("text") or ""
        if says_yes_to_the_cancel(tracker):  # "yes, found the mugs cheaper elsewhere too": no mugs listed
            from actions.cancel import ActionAnswerConfirmation  # imported here: actions.cancel imports this module
            read_as_a_yes(tracker)  # "yep. found it cheaper": a yes, though its last words say none
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        if picks_an_order_to_cancel(tracker):  # "the one with the red mugs" to "which order should I cancel?"
            from actions.cancel import ActionCancelOrder  # imported here: actions.cancel imports this module
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        answered = await answer_about_the_cancel(dispatcher, tracker)
        if answered is not None:  # "is it already packed?" at "Do you want me to cancel order …?"
            return answered
        so_far = await tell_the_order_so_far(dispatcher, tracker) if not named_products else None
        if so_far is not None:  # "whats the total so far" while ordering
            return so_far
        if picks_an_order_in_view(tracker):  # "the mugs one" right after the orders were listed: that
            picked = await answer_about_an_order(dispatcher, tracker, domain)  # order ("one" is no count)
            if picked is not None:
                return picked
        if answers_the_paused_choice(tracker):  # "the gooseneck one" to "which kettle?", then a person offered
            return back_to_the_paused_order(tracker, answers_it=True)
        if not named_products and len(tracker.get_slot(SHOWN) or []) == 1 and TAKES_THE_SHOWN.search(text):
            # "ok 1 then", "i'll take it" after one product
            return back_to_the_paused_order(tracker, answers_it=False)
        verified = await answer_about_a_verified_order(dispatcher, tracker)
        if verified is not None:  # "… and pls add a french press to it" about another chat's order: refused
            return verified
        first = await self._question_then_the_change(dispatcher, tracker, domain)
        if first is not None:  # "is the grinder good for espresso? also pls make the chai 5 packets"
            return first
        if keeps_only_some(tracker):  # "nevermind the mugs just the glasses" at the summary: the rest goes
            return [FollowupAction("order_form")]
        if named_products and orders_with_its_address(tracker):
            # "3 cast iron teapots to Ines Costa, …, Portugal": an order and where it goes (QA F36)
            return [FollowupAction("order_form")]
        ordered_from = orders_after_the_price(text) if named_products and not tracker.active_loop_name else None
        if ordered_from is not None:
            # "how much is the travel mug? i'll take 2 and a french press": the price, then the order
            # form reads the items (QA16: only the prices, and "ok so order them??" began anew)
            asked = part_of_the_message(tracker, 0, ordered_from)
            priced = await self.answer(dispatcher, asked, domain) if named_in(asked) else []
            return [event for event in priced if event.get("event") != "followup"] + [FollowupAction("order_form")]
        if named_products and not states_a_rating(text) and (
                wants_to_order(text) or (counted_product(tracker) and not _asks(text))):
            # "I'd like 2 teapots", "3 english breakfast tea": the order form reads the same items
            # ("the teapot is lovely, 5 stars" counts no teapots: a review, below)
            return [FollowupAction("order_form")]
        if not named_products and is_foreign(text):  # "ist der Wasserkocher auf Lager?"
            return only_english(dispatcher, tracker)
        if not named_products and next(tracker.get_latest_entity_values("category"), None) is None \
                and say_not_delivered_there(dispatcher, text):
            return []  # "what about tenerife specifically" after a delivery answer (QA17: the category list)
        if not named_products:
            corrected = await correct_the_rating_just_given(dispatcher, tracker)
            if corrected is not None:  # "sorry i meant 5" after the feedback was stored: no catalogue
                return corrected
        if named_products and continues_a_return(tracker):
            return [FollowupAction("return_form")]  # "the teapot too" after a return, "return 2 mugs"
        if states_a_rating(text):
            return [FollowupAction("feedback_form")]  # "the french press is great, 5 stars": a review
        if complains(text):  # "not happy with the quality of the mug", "the tea tasted like dust"
            return await complain_about_what_came(dispatcher, tracker, domain)
        if praises_what_was_received(text) and not wants_to_order(text):
            return [FollowupAction("feedback_form")]  # "the french press I got last week is amazing": feedback
        if names_only_an_order(tracker) or picks_a_listed_order(tracker, named_products):
            # "63YFJTV8", "status OB 3NXJBEPF"; "the teapot one", "the second one" when asked which order
            return await ActionTrackOrder().run(dispatcher, tracker, domain)
        about_an_order = await answer_about_an_order(dispatcher, tracker, domain)
        if about_an_order is not None:  # "HZME5UYP", "whats in it" after an order's status, an email alone
            return about_an_order
        if at_the_summary(tracker) and (new_quantity(tracker, tracker.get_slot(DRAFT) or []) is not None or (
                named_products and (REPLACING.search(text) or any(
                    is_removed(e, text) for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product")))):
            # "make it 3", "make the mugs 4", "remove the french press", "swap the kettles for one
            # gooseneck kettle" at "Shall I place it?": an edit of that order, not a product question;
            # "cancel the tea caddy" goes to the cancel, which takes it out or (all there is) drops the order
            if re.search(r"(?i)\bcancel\b", text):
                from actions.cancel import ActionCancelOrder  # imported here: actions.cancel imports this module
                return await ActionCancelOrder().run(dispatcher, tracker, domain)
            return [FollowupAction("order_form")]
        # "remove the mugs": a kind of product (a category to the NLU) taken out of the order
        named_a_kind = next(tracker.get_latest_entity_values("category"), None) is not None and CHANGING.search(text)
        if (named_products or named_a_kind or quantity_in(text) is not None) and await adds_to_a_placed_order(tracker):
            # "remove the blue mugs" from the order placed, "make it 3" right after placing it
            return [FollowupAction("change_order_form")]
        if answer_about_deals_or_gift_cards(dispatcher, text):
            return []  # "black friday deals?" (not the black products), "do you sell gift cards?" (we don't)
        if WARRANTY.search(text):  # "do the kettles have warranty": the same for everything we sell
            dispatcher.utter_message(response="utter_faq/warranty")
            return []
        exact = ASKS_HOW_MANY.search(text) is not None
        try:
            async with BackendClient(tracker.sender_id) as backend:
                products, total, listed_as = await self._products(dispatcher, backend, tracker, named_products)
                # "a bigger teapot than the glass one?" compares: no yes or no about its glass
                answer = answer_about(products[0], text) if len(products) == 1 and not compares(text) else None
                if answer:  # "is it dishwasher safe?", "when is it back in stock?"
                    # no "shall I ask someone?" over the order's question, nor over a change asked next
                    ordering = (at_the_summary(tracker) or (tracker.active_loop or {}).get("name") == "order_form"
                                or bool(tracker.latest_message.get(QUESTION_BEFORE_A_CHANGE)))
                    return await _answer_about(dispatcher, backend, products[0], answer, ordering)
                if products:
                    details = (len(products) == 1 or ASKS_DETAILS.search(text) is not None
                               or ranks_by_size(text) is not None  # "which is bigger?": the sizes
                               or COMPARES.search(text) is not None)  # "whats the difference?"
                    lines = "\n".join(f"• {describe_product(p, exact, details)}" for p in products)
                    by_size_order = {"order": "biggest" if ranks_by_size(text) else "smallest"} if listed_as != LISTED else {}
                    dispatcher.utter_message(response=listed_as, products=lines, **by_size_order)
                    if total > len(products):
                        dispatcher.utter_message(response="utter_more_products", more=total - len(products))
                    count = _count_priced(tracker)
                    if count and len(products) == 1:  # "how much are 3 bags of the ethiopia beans": for 3
                        _say_the_price_of(dispatcher, products[0], count)
                    return [SlotSet(SHOWN, [p.sku for p in products])]
                categories = await backend.list_categories()
        except BackendError as error:
            logger.warning("catalogue lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        asked_for = [word for word in search_terms(text) if word not in GENERIC_WORDS]
        category = next(tracker.get_latest_entity_values("category"), None)
        if asked_for and not named_products and not category and price_range_minor(text) == (None, None) \
                and ASKS_FOR_A_THING.search(text):  # "do you sell toasters": no, then what we sell
            dispatcher.utter_message(response="utter_not_sold", thing=_in_order(text, asked_for))
        names = ", ".join(f"{c.name} ({c.count})" for c in categories)
        dispatcher.utter_message(response="utter_categories", categories=names)
        return []

    @staticmethod
    async def _question_then_the_change(dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
        """A question, then a change of the order placed, in one message ("is the grinder good for
        espresso? also pls make the chai 5 packets", "is it shipped? also add 1 more grinder"): the
        question answered (its product, or the order's status), then the change's form proposes the
        change (QA16: only the change was proposed); None for other messages."""
        form = await question_then_a_change(tracker)
        if form is None:
            return None
        answered = await answer_the_question_first(dispatcher, tracker, domain)
        if answered is None:
            return None
        return answered if asks_back(answered) else answered + [FollowupAction(form)]

    async def _products(self, dispatcher: CollectingDispatcher, backend: BackendClient, tracker: Tracker,
                        named_products: bool) -> Tuple[List[Product], int, str]:
        """The products the message asks about, how many there are in all, and the response that
        lists them; what it asked for and we don't have (a price range, a colour) is said first."""
        text = tracker.latest_message.get("text") or ""
        category = str(next(tracker.get_latest_entity_values("category"), None) or "")
        low, high = price_range_minor(text)
        sized = ranks_by_size(text)
        ranked = RANKING.search(text) or sized is not None
        if sized is not None and (named_products or category):
            # "which mug is the biggest", "a bigger teapot than the glass one": by the whole kind
            of_the_kind = await _by_size_in_kind(dispatcher, backend, tracker, sized, category)
            if of_the_kind is not None:
                return of_the_kind
        in_hand = _in_hand(tracker) if not named_products and not category else []
        if sized is not None and len(in_hand) == 1:
            # "do you have a bigger one?" right after one product, or ordering one: its kind, bigger than it
            return *await _bigger_or_smaller(dispatcher, backend, await backend.get_product(in_hand[0]), sized), LISTED
        if (ranked or COMPARES.search(text)) and len(in_hand) > 1 and high is None:
            # "which is cheaper?", "which one is bigger?", "whats the difference?" after two or more
            # products (or at "Which kettle would you like?"): those
            products, total = [await backend.get_product(sku) for sku in in_hand[:10]], len(in_hand)
            ordered = sorted_by_size(products, sized) if sized is not None else []
            if ordered:  # "which one is bigger?": all of them, biggest first, so the sizes compare
                return ordered, len(ordered), "utter_products_by_size"
        elif (high is not None or ranked) and not named_products:  # "anything under 10 euro", "cheapest mug"
            products, total = await backend.products_in(category, 100 if ranked or low else CATEGORY_PAGE, high)
            products = [p for p in products if low is None or p.price_minor >= low]
            if not products and high is not None:
                dispatcher.utter_message(response="utter_nothing_under_price", price=format_price(high, "EUR"))
            total = len(products) if low is not None else total
        elif category and not named_products:  # "show me your mugs": the whole category
            products, total = await backend.products_in(category, CATEGORY_PAGE)
            colour = missing_colour(text, products)
            if colour:  # "do you have yellow mugs": no, and the ones there are
                dispatcher.utter_message(response="utter_no_such_colour", colour=colour, category=category.lower())
        else:
            products = await self._find_products(backend, tracker)
            if len(products) == 1 and COMPARES.search(text):
                # "the difference between the electric and the hand grinder": the matcher found one
                products = _told_apart((await backend.products_in(products[0].category, 30))[0], text) or products
            total = len(products)
            colour = missing_colour(text, products) if products else None
            if colour:  # "do you have pink teapots": no, and the ones there are
                named = next(tracker.get_latest_entity_values("product"), None)
                dispatcher.utter_message(response="utter_no_such_colour", colour=colour,
                                         category=str(named or products[0].category).lower())
        if sized is not None and by_size(products, sized):  # "the biggest teapot", "which is smaller?"
            products, total = by_size(products, sized), 1
        elif ranked and products and sized is None:  # "cheapest teapot?": that one
            products = sorted(products, key=lambda p: p.price_minor, reverse=ranked.group("top") is not None)[:1]
            total = 1
        elif low is not None:
            products = products[:CATEGORY_PAGE]
        return products, total, LISTED

    @staticmethod
    async def _find_products(backend: BackendClient, tracker: Tracker) -> List[Product]:
        """The products named, else those the words find; a follow-up on the products just shown
        ("is it in stock", "is the green one available") keeps to them."""
        text = tracker.latest_message.get("text") or ""
        named = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product"]
        features = [e for e in named if _a_feature(e, text)]
        if features:  # "does the cast iron one come with an infuser?": the teapot is asked about
            text = text[:min(_start(e, text) for e in features)]
            named = [e for e in named if e not in features]
        wanted = [str(e["value"]) for e in named]
        terms = wanted or search_terms(text)
        # "is it dishwasher safe?" while ordering: "it" is what is being ordered, if nothing was shown
        shown = _in_hand(tracker)
        found: Dict[str, Product] = {}
        for entity in named:
            if len(entity.get("skus") or []) == 1:
                product = await backend.get_product(entity["skus"][0])  # the matcher's one product
                found[product.sku] = product
                terms = [term for term in terms if term != str(entity["value"])]
        for term in terms:
            for product in await backend.search_products(query=term, limit=5):
                found.setdefault(product.sku, product)
        refers_back = REFERS_BACK.search(text) is not None
        refused = None if wanted else await _just_refused(backend, tracker)
        if refused is not None and (refers_back or not found):
            # "when will it be back" right after "Sorry, the red kettle is out of stock" (QA16: not
            # in the catalogue): that kettle, refused while ordering and no product shown
            return [refused]
        if shown and wanted and THE_X_ONE.search(text):  # "and the glass one?" after the cast iron teapot
            siblings = await _among_shown(backend, shown, text, terms)
            if siblings:
                return siblings
        if shown and not wanted and (refers_back or not found):
            return await _among_shown(backend, shown, text, terms) or list(found.values())[:6]
        ordering = [item["sku"] for item in tracker.get_slot(DRAFT) or [] if item.get("sku")]
        in_hand = [found[sku] for sku in dict.fromkeys(ordering or shown) if sku in found]
        if (wanted and THE_ONE_MEANT.search(text) and 0 < len(in_hand) < len(found)
                and not _told_apart(list(found.values()), text)):
            # "is the mug dishwasher safe?" with blue mugs in the order: that mug, not all five
            # ("is the mug in green?" tells another one apart)
            return in_hand
        return list(found.values())[:6]


def named_in(tracker: Tracker) -> bool:
    """The latest message names a product or a kind of product."""
    return any(e.get("entity") in ("product", "category") for e in tracker.latest_message.get("entities") or [])


# What the bot says of a product refused for its stock (the order form, the change form).
REFUSED_FOR_STOCK = ("utter_order_out_of_stock", "utter_order_short_stock")


async def _just_refused(backend: BackendClient, tracker: Tracker) -> Optional[Product]:
    """The product the bot's last turn refused for its stock ("Sorry, Stovetop Whistling Kettle
    Red is out of stock right now"), by its SKU or, failing that, its name; None after any other turn."""
    said = next((event.get("metadata") or {} for event in previous_turn(tracker) if event.get("event") == "bot"
                 and (event.get("metadata") or {}).get("utter_action") in REFUSED_FOR_STOCK), None)
    if not said:
        return None
    if said.get("sku"):
        return await backend.get_product(str(said["sku"]))
    name = str(said.get("name") or "")
    return next((product for product in await backend.search_products(query=name, limit=5)
                 if name and product.name.lower() == name.lower()), None)


def _count_priced(tracker: Tracker) -> Optional[int]:
    """The count a price question is for ("how much are 3 bags of the ethiopia beans": 3), if more
    than one; None for a question without a price or a count."""
    if not PRICE_ASKED.search(tracker.latest_message.get("text") or ""):
        return None
    entities = tracker.latest_message.get("entities") or []
    counts = [int(e["quantity"]) for e in entities if e.get("entity") == "product" and str(e.get("quantity") or "").isdigit()]
    counts += [int(e["value"]) for e in entities if e.get("entity") == "quantity" and not e.get("implicit")
               and str(e.get("value") or "").isdigit()]
    return max(counts) if counts and max(counts) > 1 else None


def _say_the_price_of(dispatcher: CollectingDispatcher, product: Product, count: int) -> None:
    dispatcher.utter_message(response="utter_price_for_quantity", quantity=count, name=product.name,
                             price=format_price(product.price_minor, product.currency),
                             total=format_price(product.price_minor * count, product.currency))


def compares(text: str) -> bool:
    """ "which is cheaper", "a bigger one than the glass one", "whats the difference": a comparison."""
    return any(pattern.search(text) for pattern in (RANKING, SIZE_RANKING, COMPARES, THAN))


def _open_choice(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The item of the order being made still waiting for "Which kettle would you like?"."""
    return next((item for item in tracker.get_slot(DRAFT) or [] if not item.get("sku") and item.get("candidates")), None)


def _in_hand(tracker: Tracker) -> List[str]:
    """SKUs of what a follow-up without a name ("which one is bigger?", "is it in stock?") is
    about: the options of "Which kettle would you like?" when that was asked last, else the
    products shown last, else those being ordered."""
    choice = _open_choice(tracker)
    shown = tracker.get_slot(SHOWN) or []
    if choice and (not shown or _said_last(tracker) == "utter_ask_which_product"):
        return [option["sku"] for option in choice["candidates"]]
    return shown or [item["sku"] for item in tracker.get_slot(DRAFT) or [] if item.get("sku")]


def _said_last(tracker: Tracker) -> Optional[str]:
    said = next((e for e in reversed(tracker.events or []) if e.get("event") == "bot"), None)
    return (said.get("metadata") or {}).get("utter_action") if said else None


def _a_feature(entity: Dict[str, Any], text: str) -> bool:
    """A product named as what another comes with ("does the teapot come with an infuser?")."""
    start = _start(entity, text)
    return start > 0 and COMES_WITH.search(text[:start]) is not None


def _start(entity: Dict[str, Any], text: str) -> int:
    """Where the entity is in the text (-1: not found)."""
    start = entity.get("start")
    return int(start) if start is not None else text.lower().find(str(entity.get("value") or "").lower())


async def _by_size_in_kind(dispatcher: CollectingDispatcher, backend: BackendClient, tracker: Tracker,
                           bigger: bool, category: str) -> Optional[Tuple[List[Product], int, str]]:
    """ "which mug is the biggest": the biggest of the whole category of the kind named (the
    products a name matches are not all of its kind); "a bigger teapot than the glass one": those
    bigger than the one compared with. None when nothing names a kind."""
    text = tracker.latest_message.get("text") or ""
    than = THAN.search(text)
    kind = category or await _kind_named(backend, tracker, than.start() if than else len(text))
    if not kind:
        return None
    of_the_kind, _ = await backend.products_in(kind, 100)
    compared_with = _compared_with(tracker, of_the_kind, text[than.end():], bigger) if than else None
    if compared_with is not None:
        return *await _bigger_or_smaller(dispatcher, backend, compared_with, bigger), LISTED
    extreme = by_size(of_the_kind, bigger)
    return (extreme, 1, LISTED) if extreme else None


async def _kind_named(backend: BackendClient, tracker: Tracker, before: int) -> str:
    """The category of the first product named before `before` ("a bigger teapot than the glass
    one": the teapot's)."""
    text = tracker.latest_message.get("text") or ""
    named = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product"]
    named = [e for e in named if _start(e, text) < before] or named
    if not named:
        return ""
    first = min(named, key=lambda e: _start(e, text))
    if first.get("skus"):
        return (await backend.get_product(first["skus"][0])).category
    found = await backend.search_products(query=str(first["value"]), limit=1)
    return found[0].category if found else ""


def _compared_with(tracker: Tracker, of_the_kind: List[Product], reference: str, bigger: bool) -> Optional[Product]:
    """The product after "than": told apart among its kind ("the ceramic ones"), or the one in
    hand ("than this one"); of several, the biggest (for "bigger") or the smallest."""
    held = set(_in_hand(tracker))
    meant = _told_apart(of_the_kind, reference) or (
        [p for p in of_the_kind if p.sku in held] if REFERS_BACK.search(reference) else [])
    measured = [(p, size[1]) for p in meant if (size := measure(p))]
    if not measured:
        return None
    return (max if bigger else min)(measured, key=lambda pair: pair[1])[0]


async def _bigger_or_smaller(dispatcher: CollectingDispatcher, backend: BackendClient, product: Product,
                             bigger: bool) -> Tuple[List[Product], int]:
    """The products of `product`'s category bigger (or smaller) than it, nearest size first; when
    there are none, that it is already the biggest (smallest) one."""
    siblings, _ = await backend.products_in(product.category, 100)
    own = measure(product)
    if own is None:
        return siblings[:CATEGORY_PAGE], len(siblings)
    beyond = [(p, size[1]) for p in siblings if (size := measure(p)) and size[0] == own[0]
              and (size[1] > own[1] if bigger else size[1] < own[1])]
    if not beyond:
        dispatcher.utter_message(response="utter_product_already_extreme", name=product.name,
                                 extreme="biggest" if bigger else "smallest", category=product.category.lower())
        return [product], 1
    beyond.sort(key=lambda pair: abs(pair[1] - own[1]))
    return [p for p, _ in beyond[:CATEGORY_PAGE]], len(beyond)


async def _answer_about(dispatcher: CollectingDispatcher, backend: BackendClient, product: Product,
                        answer: Answer, ordering: bool = False) -> List[Dict[Text, Any]]:
    """The answer; a detail we don't know offers someone to check it, but not while an order is
    being made: at its summary the offer took over "Shall I place it?" (a "no thanks" lost the
    order), and the order form asks its own question next."""
    response, values = answer
    if response == "utter_product_detail_unknown" and ordering:
        response = "utter_product_detail_unknown_while_ordering"
    if response == "utter_product_back_in_days":
        values = {**values, "alternatives": await stock_alternatives(backend, product, set())}
    if response in ("utter_product_has", "utter_product_has_not"):  # and whether it can be had now
        values = {**values, "summary": describe_product(product).split(": ", 1)[1]}
    dispatcher.utter_message(response=response, **values)
    shown = [SlotSet(SHOWN, [product.sku])]
    # a detail we don't know: someone from the team can check ("yes" hands over)
    return shown + ([SlotSet("pending_confirmation", "human_handoff")]
                    if response == "utter_product_detail_unknown" else [])


def picks_a_listed_order(tracker: Tracker, named_products: bool) -> bool:
    """ "the teapot one", "the second one", "the mugs order", "DSK9YCGR" right after the bot asked
    which order to track (not "do you have blue mugs", a product question of its own)."""
    text = tracker.latest_message.get("text") or ""
    asked = tracker.get_slot(REQUESTED) == "order_id" and tracker.get_slot(TASK) == "track"
    return asked and (ORDINAL.search(text) is not None or order_number(text, asked=True) is not None
                      or (named_products and re.search(r"(?i)\b(?:one|ones|order)\b", text) is not None))


async def _among_shown(backend: BackendClient, shown: List[str], text: str, terms: List[str]) -> List[Product]:
    """A follow-up on the products just shown: the ones it tells apart ("is the green one in
    stock", "and the black one?" after the green mug: the black mug beside it in its category), or
    all of them for "is it in stock", "how many left", "what colours"; [] when it is about
    something else."""
    products = [await backend.get_product(sku) for sku in shown[:10]]
    picked = _told_apart(products, text)
    if picked:
        return picked[:6]
    siblings: Dict[str, Product] = {}
    for category in dict.fromkeys(p.category for p in products):
        siblings.update((p.sku, p) for p in (await backend.products_in(category, 30))[0])
    picked = _told_apart(list(siblings.values()), text)
    if picked:
        return picked[:6]
    about_them = REFERS_BACK.search(text) or not terms or ASKS_STOCK.search(text) or ASKS_DETAILS.search(text)
    return products[:6] if about_them else []


_NOT_TELLING = frozenset("the and with for one ones set pair true false".split())


def _told_apart(products: List[Product], text: str) -> List[Product]:
    """The products whose name or attributes hold a word of `text` that not all of them share."""
    def words(product: Product) -> Set[str]:
        described = f"{product.name} {' '.join(str(v) for v in product.attributes.values())}"
        return set(re.findall(r"[a-z]+", described.lower())) - _NOT_TELLING
    bags = [words(product) for product in products]
    shared = set.intersection(*bags) if bags else set()
    said = {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 2}
    return [product for product, bag in zip(products, bags) if said & (bag - shared)]


def _in_order(text: str, words: List[str]) -> str:
    """The search words as the customer wrote them ("frying pans", not "frying, pans")."""
    return " ".join(word for word in re.findall(r"[a-z][a-z\-]+", text.lower()) if word in words)


def counted_product(tracker: Tracker) -> bool:
    """A product with a count the customer wrote ("3 english breakfast tea", "1 red mug")."""
    entities = tracker.latest_message.get("entities") or []
    counted = [e for e in entities if e.get("entity") == "quantity" and not e.get("implicit")]
    return bool(counted) and any(e.get("entity") == "product" for e in entities)


def _asks(text: str) -> bool:
    """ "do you have 3 teapots?", "how much are 2 mugs": a question, not an order."""
    return only_asks(text) or "?" in text or ASKS_HOW_MANY.search(text) is not None
