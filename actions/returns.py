"""Returns: a return request for a delivered order (which items, why, confirmation, then
`POST /orders/{n}/return`). Where a refund is: actions/refunds.py.

The items are asked only when there is a choice (more than one unit) and not already named
("I want to return the teapot"); sending everything back is sent without lines, so the backend
refunds shipping too. While a return is on its way (requested, not yet received), more of the
same order joins it: the items asked about are those not going back yet.

At the summary, or while the reason is asked, a message about the items changes them ("the teapot
too", "no only 2 mugs not 3") or, said again, shows the summary again; whatever the NLU read, it
never starts an order (`continues_a_return`, asked by the actions a message may reach first). A
question at the reason step is answered (or left to its rule) and the reason asked again. The
shop's fault (damage, the wrong item sent: actions/return_reasons.py) gets an apology first, and
once registered a ticket asks the team for the prepaid label (its postage is ours). A replacement
or a warranty repair is the team's to arrange: a ticket and the offer of a person, and the refund
return lapses; an exchange is said to be a return plus a new order (or a person's to arrange). An
order that never arrived is no return: a ticket for the team. Opened tea or coffee stays, the rest
of the return goes on. "Cancel my return" takes back a registered one, "take the mug out of the
return" or "i'll keep the mug" one item of it (actions/return_withdrawal.py). An order another flow
was about when the return started is looked up afresh, so one not delivered is refused in the shop's
words; some of its items named ("return the scale") are offered to be taken off it instead, as the
change form proposes a change. A reason said before the request, or a fault said earlier in the chat,
is not asked again; "which order?" is asked again under one unrelated answer, not under each.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Order, Refused
from actions.form_answers import OTHER_REQUESTS, intent_of, last_utterance, said_this_turn
from actions.order_changes import explicit_quantity
from actions.order_forms import (CHANGES, ENDED, TARGET, TargetOrderForm, events_clearing, order_view,
                                 status_words)
from actions.order_wording import ALSO, RETURNING
from actions.orders import named_skus
from actions.parsing import asks_instead_of_answering, decided_answer, format_price, order_number, quantity_in
from actions.placed_order_edits import swaps_an_item_of_a_placed_order
from actions.return_items import (ItemChange, ReturnChoice, ReturnMessage, about_items, change_of_items,
                                  choose_from_message, choose_return_items, everything, is_whole_order, items_text,
                                  read_return_message, tidy_reason)
from actions.return_reasons import never_arrived, reports_a_wrong_item, shops_fault
from actions.return_withdrawal import (ask_to_take_out, ask_to_withdraw, keeps_items, takes_out_of_the_return,
                                       withdraws_a_return)
from actions.support import open_complaint, ticket_with_an_offer
from actions.tickets import OFFERED_TICKET, PAUSED_FORM
from actions.tickets import open_ticket as _open_ticket

logger = logging.getLogger(__name__)
ITEMS = "return_items"
REASON = "return_reason"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, ITEMS, REASON, PENDING)
NONE = "none"  # the answer to "what goes back?" was "nothing"
NOTHING = re.compile(r"(?i)^\s*(no|nope|nah|nothing|none|neither|not now)\b[\w\s,']{0,30}$")
# The shop's policy (faq/refund_policy): opened coffee and tea go back only if faulty.
CONSUMABLES = ("Tea", "Coffee")
OPENED = re.compile(r"(?i)\b(?:opened|open|tasted|tried|brewed|used|drank|drunk|(?:don'?t|didn'?t|do not|did not) like|"
                    r"not (?:my|to my) taste|taste)\b")
UNOPENED = re.compile(r"(?i)\b(?:(?:haven'?t|have not|hasn'?t|has not|not|never|didn'?t|did not)\s+(?:\w+\s+)?"
                      r"(?:opened?|open(?:ed)? it|tried|tasted|used)|unopened|sealed|still (?:closed|packed|wrapped))\b")
FAULTY = re.compile(r"(?i)\b(?:faulty|damaged|broken|torn|stale|mou?ldy?|expired|wrong|spoil\w*|contaminat\w*|"
                    r"insects?|bugs?|smell(?:s|ed|ing)? (?:bad|off|weird|funny|strange)|"
                    r"tast(?:es?|ed|ing) (?:like|off|weird|bad|funny)|leak\w*|defect\w*)\b")
# "same reason", "same as before", "same reason as the other mugs": the reason of the return the
# items join.
SAME_REASON = re.compile(
    r"(?i)^\W*(?:(?:its|it'?s|it is|they'?re|for)\s+)?(?:the\s+)?same(?:\s+(?:reason|thing|problem|issue|here))?"
    r"(?:\s+as\s+(?:before|(?:the|with the|for the|my)\s+(?:(?:other|first|last|previous|earlier)\b\s*)?[a-z\s]{0,25}))?\W*$")
# A yes, no or okay is no reason (it answers a question the customer thought was asked).
NO_REASON = re.compile(r"(?i)^\s*(yes|yeah|yep|yup|ok|okay|sure|no|nope|fine|right|correct|done|y|n)\W*$")
# Intents that are no reason: leaving, waiting, help, a policy question, a person (their rules answer).
NOT_A_REASON = frozenset({"stop", "wait", "help", "faq", "bot_challenge", "contact_human_agent"})
# A question asked instead of the reason that another intent's rule answers ("where is my other
# order?"); a complaint or a return request worded as a question is still a reason.
QUESTION_INTENTS = (OTHER_REQUESTS - {"complaint", "refund_return_request"}) | {"out_of_scope", "nlu_fallback"}
# Asked instead of the reason, and answered here: "how long will the refund take?", "do i need a reason?".
REFUND_WHEN = re.compile(r"(?i)\b(?:how (?:long|soon|many days|fast)|when)\b.{0,40}\b(?:refund\w*|money|paid|credited)\b|"
                         r"\brefund\w*\b.{0,30}\b(?:take|how long|when)\b")
WHY_A_REASON = re.compile(r"(?i)\b(?:need|have|must|required?|necessary|mandatory|compulsory)\b.{0,25}\breason\b|"
                          r"\breason\b.{0,10}\b(?:needed|required|necessary|mandatory|compulsory)\b|"
                          r"\bwhy (?:do|does|should) (?:you|it|i) (?:need|want|have|matter|ask)|\bwhat (?:kind of |sort of )?reason\b")
# "wait which order is that", "hmm what order is this about?", "what am i returning?": asked at the
# reason prompt, which names no order (t2 QA M2).
WHICH_ORDER = re.compile(r"(?i)\b(?:which|what|wich|wat)\s+(?:order|one|items?|products?|parcel|package)\b|"
                         r"\bwhat (?:am i|are we|is (?:it|this|that))\s+(?:returning|sending|about)\b")
BUYING = re.compile(r"(?i)\b(?:buy|purchase|order (?:more|another|new|some)|(?:like|want|wanna|need) to order)\b")
# "ok send them back", "sure, return them": a yes to the summary that names what it agrees to.
LEADING_YES = re.compile(r"(?i)^\W*(?:ok(?:ay)?|yes|yeah|yep|yup|sure|fine|alright|go ahead|please|pls|plz)\b")
# "not buy", "i don't want to buy": said before the buying word, no purchase.
NOT_BEFORE = re.compile(r"(?i)\b(?:not|no|never|don'?t|dont|do not|didn'?t|isn'?t)\b(?:\s+\w+){0,3}\s*$")
# "i want a replacement", "can you send me a new one instead": not a refund, the team's to arrange;
# after a wrong item, "I'd rather have the right ones sent", "send me the correct mugs" (t4 M8: the
# bot's own suggested words had started a new order).
REPLACEMENT = re.compile(
    r"(?i)\b(?:replacement|replace (?:it|them|this|that|mine|the \w+(?: \w+)?)|exchange|"
    r"(?:send|ship|give|get)(?: me| us)? (?:a |an )?(?:new|fresh|another|working|replacement|different) "
    r"(?:one|ones|piece|item|\w+)|new one instead|"
    r"(?:send|ship|give|get)(?: me| us)?(?: the)? (?:right|correct) \w+|(?:right|correct) \w+ sent)\b")
# "replace the hand grinder with the electric one": a swap for another product (the change form's
# while the order is not sent), not a new one of the same.
SWAP = re.compile(r"(?i)\b(?:replace|swap|exchange|change)\b.{1,40}?\b(?:with|for|into)\b"
                  r"(?!\s+(?:a\s+)?(?:new|fresh|working|replacement|another one)\b)")
NOT_REPLACEMENT = re.compile(r"(?i)\b(?:not|no|don'?t want|do not want|rather than|instead of)\s+(?:a\s+)?"
                             r"(?:replacement|exchange|new one)\b")
# "ok never mind the return for now", "forget the return", "i don't want to return it anymore": the
# whole message leaves the return ("never mind, it's just too big" is a reason).
LEAVES_THE_RETURN = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|hmm+|well|actually|sorry|wait|i(?:'ve| have)? changed my mind)\W+)*"
    r"(?:never ?mind|nvm|forget (?:about )?(?:it|that|this|(?:the|my|this) return)|leave it|cancel (?:the|my|this) return|"
    r"(?:i )?(?:don'?t|do not|no longer) (?:want|need) to (?:return|send) (?:it|them|anything)(?: back)?|"
    r"no need to return(?: it| them| anything)?|i'?ll keep (?:it|them))"
    r"(?:\W+(?:(?:the|my|this) return|returning|for now|not now|later|then|after all|anyway|anymore|any more|thanks?|thank you|"
    r"i'?ll keep (?:it|them)))*\W*$")
# The apology for a return that is the shop's fault (actions/return_reasons.py), said once per return.
SORRY = {"damaged": "utter_return_sorry_faulty", "wrong_item": "utter_return_sorry_wrong_item"}
# The statuses a return acts on: delivered, or its return on the way (more joins it).
RETURNING_STATUSES = ("delivered", "return_requested")


def refund_due(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What the backend will refund: everything, shipping included, or the items' price."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


class ValidateReturnForm(TargetOrderForm):
    finds_order_by_product = True

    def name(self) -> Text:
        return "validate_return_form"

    def order_kinds(self, tracker: Tracker) -> List[str]:
        """ "i want to return the mugs, too small": the order holding mugs (a kind to the NLU), not
        the newest delivered one (QA: the french press order's return was registered)."""
        return [str(entity.get("value")) for entity in tracker.latest_message.get("entities") or []
                if entity.get("entity") == "category"]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if asked_which_order_enough(tracker):  # back after another side answer: not a third "which order?"
            return [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]
        undone = await _takes_back_a_cancel(dispatcher, tracker, domain)
        if undone is not None:  # "reinstate it", "uncancel it" about a cancelled order: no return
            return undone
        if tracker.get_slot("requested_slot") is None and await swaps_an_item_of_a_placed_order(tracker):
            # "replace the hand grinder with the electric grinder", not sent yet: the change form's
            return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
        claimed = await claim_under_warranty(dispatcher, tracker)
        if claimed is not None:  # "i want it repaired under warranty": the team's, not a refund
            return claimed
        if wants_a_replacement(_text(tracker)):
            return await _offer_a_replacement(dispatcher, tracker, domain)
        if await _exchange_without_an_order(dispatcher, tracker):  # how exchanges work, not "which order?"
            return [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]
        exchange = _explain_the_exchange(dispatcher, tracker)  # "can i exchange it for the blue one?"
        if tracker.get_slot("requested_slot") is None and keeps_items(_text(tracker), _entities(tracker)) \
                and _means_the_registered_return(tracker):
            # "ill keep the chai, still returning the teapot": the chai out of the return registered
            taken = await ask_to_take_out(dispatcher, tracker, only_what_it_holds=True)
            if taken is not None:
                return taken
        if takes_out_of_the_return(_text(tracker)) and _means_the_registered_return(tracker):
            # "withdraw the blue mug from the return, i keep it": that item out, the rest stays
            return await ask_to_take_out(dispatcher, tracker)
        if withdraws_a_return(_text(tracker)) and _means_the_registered_return(tracker):
            # "actually cancel my return, i'll keep them": the return already registered
            return await ask_to_withdraw(dispatcher, tracker)
        if leaves_the_return(tracker):
            return _leave_the_return(dispatcher, tracker)
        if asks_how_returns_work(_text(tracker)):
            return _how_returns_work(dispatcher, tracker)
        forgotten = _forget_another_flows_order(tracker)
        taken_off = await self._take_off_instead(dispatcher, tracker, domain)
        if taken_off is not None:  # "return the scale" of an order not sent: off the order, not a cancel
            return forgotten + taken_off
        return forgotten + exchange + await super().run(dispatcher, tracker, domain)

    async def _take_off_instead(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
        """ "i want to return the scale, dont need it" about an order not sent yet (the scale and
        beans): the scale taken off the order, proposed as the change form proposes it (QA: "nothing
        to return, I can cancel it instead", and its "Cancel it" would have cancelled the beans too).
        None when the return names no items, all of the order, or an order that may be returned or
        can't change any more (the form's own answer says why)."""
        if (tracker.get_slot("requested_slot") is not None or _return_under_way(tracker) or tracker.get_slot(TARGET)
                or not (self.order_skus(tracker) or self.order_kinds(tracker))):
            return None
        found = await self.extract_target_order(CollectingDispatcher(), tracker, domain)
        offered = (found.get(TARGET) or {}).get("offered")  # not sent yet: a cancel would be offered
        if not offered:
            return None
        try:
            async with BackendClient(tracker.sender_id) as backend:
                order = await backend.get_order(offered)
        except BackendError as error:
            logger.warning("reading the order a return was asked of failed: %s", error)
            return None
        view = order_view(order)
        lines = await _with_categories(tracker, view["lines"])
        choice, _ = choose_from_message(lines, _text(tracker), _entities(tracker))
        if not order.editable or not choice.lines or is_whole_order(choice.lines, lines):
            return None
        dispatcher.utter_message(response="utter_return_not_sent_remove_instead", number=order.number,
                                 status=status_words(order.status), items=items_text(choice.lines))
        off = {item["sku"]: int(item["quantity"]) for item in choice.lines}
        kept = [{**line, "quantity": int(line["quantity"]) - off.get(line["sku"], 0)} for line in view["lines"]]
        tracker.slots.update({TARGET: view, CHANGES: [line for line in kept if line["quantity"] > 0]})
        from actions.change_order import ActionConfirmOrderChange  # here: actions.change_order imports this module
        proposed = await ActionConfirmOrderChange().run(dispatcher, tracker, domain)
        return events_clearing((ITEMS, REASON)) + [SlotSet(TARGET, view), SlotSet("order_id", order.number)] + \
            proposed + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]

    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return order.returnable or order.adds_to_return

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        if order.returnable or order.adds_to_return:
            return None
        return refusal_for(order.status), {}

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        slots = await super().extract_target_order(dispatcher, tracker, domain)
        for message in dispatcher.messages:  # the refusal names the return's state in words
            if message.get("response") == "utter_return_already_requested":
                message["status"] = return_state_words(str(message.get("status", "")).replace(" ", "_"))
        return slots

    async def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The items too when there is no choice (one unit) or the request named them, and the
        reason when it was said with them ("I want to return the teapot, the lid is cracked")."""
        slots = super().validate_target_order(value, dispatcher, tracker, domain)
        target = slots.get(TARGET)
        if not target or tracker.get_slot(ITEMS):
            return slots
        if target.get("status") == "return_requested":
            target = await _joining_its_return(tracker, target)
            if target is None:
                dispatcher.utter_message(response="utter_backend_unavailable")
                return dict(ENDED)
        if never_arrived(_text(tracker)):  # "return it, it never arrived": nothing to send back
            return {**ENDED, **_as_slots(await _not_received(dispatcher, tracker, target["number"]))}
        target = {**target, "lines": await _with_categories(tracker, target["lines"])}
        slots[TARGET] = target
        slots.update(_sorry_for_the_fault(dispatcher, tracker))  # "you sent me the wrong mugs": sorry first
        lines = target["lines"]
        said = set(named_skus(tracker))
        going = {item["sku"] for item in target.get("returning") or []}
        if said & going and not said & {line["sku"] for line in lines}:
            # "return 3 mugs" when the mugs already go back: not the teapot that is left
            dispatcher.utter_message(response="utter_return_items_already_going", number=target["number"],
                                     returning=items_text(target["returning"]),
                                     left=items_text(lines))
            return dict(ENDED)
        # "2 red mugs and the teapot, mugs are the wrong shade": the items before the reason
        named, message = choose_from_message(lines, _text(tracker), _entities(tracker))
        too_many = bool(named.problem) and named.problem[0] == "too_many"  # "2 red mugs" with 1 left
        # "return it for a refund" after "my kettle arrived dented": that reason, not "why?" again
        reason = _reason_said(tracker, target, message) or ({} if slots.get(REASON) else
                                                            _reason_said_before(tracker, target))
        if sum(int(line["quantity"]) for line in lines) == 1 and not too_many:
            return {**slots, ITEMS: everything(lines), **reason}
        if named.problem and named.problem[0] in ("how_many", "too_many"):  # "some of the mugs": how many
            self._explain(dispatcher, target, named)
        # "i want to return my order, it doesnt fit my kitchen": the reason is kept while the items are asked
        return {**slots, **({ITEMS: named.lines} if named.lines else {}), **reason}

    async def extract_return_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        target = tracker.get_slot(TARGET)
        change = item_change(tracker)
        if change is not None:
            # "the teapot too", "no only 2 mugs not 3" at the summary or while the reason is asked
            if change.items is not None:
                return {ITEMS: change.items}
            if change.choice.problem and change.choice.problem[0] == "not_in_order":
                dispatcher.utter_message(response="utter_return_item_not_in_order", number=target["number"],
                                         name=change.choice.problem[1])
                return {}  # the items chosen stay
            self._explain(dispatcher, target, change.choice)
            return {ITEMS: None}
        if tracker.get_slot("requested_slot") != ITEMS or not target or "lines" not in target:
            return {}
        choice, _ = choose_from_message(target["lines"], _text(tracker), _entities(tracker))
        if not choice.lines and choice.problem and choice.problem[0] in ("unclear", "ambiguous"):
            choice = _count_for_the_product_before(tracker, target["lines"], choice) or choice
        elif len(choice.lines) == 1 and not choice.counted and last_utterance(tracker) == "utter_return_items_ambiguous":
            choice = _with_the_count_said_before(tracker, choice)  # "1 mug" → "which one?" → "the blue one"
        if choice.lines:
            return {ITEMS: choice.lines}
        if choice.problem == ("unclear",) and (intent_of(tracker) == "deny" or NOTHING.match(_text(tracker))):
            return {ITEMS: NONE}
        if choice.problem == ("unclear",) and intent_of(tracker) in OTHER_REQUESTS - {"refund_return_request"}:
            return {}  # another request: its rule answers, then the form asks again
        self._explain(dispatcher, target, choice)
        # "sorry i meant 1 mug, the color is wrong": which mug is asked, the reason is kept (QA: asked again)
        return {ITEMS: None, **_reason_said(tracker)}

    @staticmethod
    def _explain(dispatcher: CollectingDispatcher, target: Dict[str, Any], choice: ReturnChoice) -> None:
        kind = choice.problem[0] if choice.problem else "unclear"
        values: Dict[str, Any] = {"number": target["number"]}
        if kind in ("ambiguous", "ambiguous_kept", "not_in_order"):
            values["name"] = choice.problem[1]
        elif kind in ("too_many", "how_many"):
            values.update(name=choice.problem[1], ordered=choice.problem[2])
        dispatcher.utter_message(response=f"utter_return_items_{kind}", **values)

    def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == NONE:  # "no", "nothing after all": the return is left
            dispatcher.utter_message(response="utter_return_not_requested",
                                     number=(tracker.get_slot(TARGET) or {}).get("number", ""))
            return {ITEMS: None, **ENDED}
        if not isinstance(value, list) or not value:
            return {ITEMS: None}
        return {ITEMS: value, **_reason_said(tracker)}

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Any text answers "why are you sending it back?", but not a change of the items, a
        question (answered here or by its rule, then the reason is asked again), leaving or help."""
        if tracker.get_slot("requested_slot") != REASON:
            return {}
        text, intent = _text(tracker), intent_of(tracker)
        if asks_which_order(text):  # "wait which order is that": never the reason, nor a new order
            _say_which_order(dispatcher, tracker)
            return {REASON: None}
        if intent in NOT_A_REASON:
            return {}  # its rule answers ("stop", "do i pay for return shipping?")
        message = read_return_message(text, _entities(tracker))
        if about_items(message):  # "the teapot too, it's cracked": its reason if said, else asked again
            return {REASON: message.reason}
        if WHY_A_REASON.search(text):  # "what? do i need a reason?"
            dispatcher.utter_message(response="utter_return_reason_why")
            return {REASON: None}
        if REFUND_WHEN.search(text) and asks_instead_of_answering(text):  # "how long will the refund take?"
            dispatcher.utter_message(response="utter_return_refund_when")
            return {REASON: None}
        if asks_instead_of_answering(text) and intent in QUESTION_INTENTS:
            return {}  # "where is my other order?": its rule answers, then the reason is asked again
        if only_names_items(text, _entities(tracker)):  # "the espresso beans": which item, not why
            return _items_named_at_the_reason(dispatcher, tracker)
        return {REASON: text}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # not a reason: extraction has said why, and the form asks again
            return {REASON: None}
        reason = tidy_reason(" ".join(str(value or "").split()))
        if SAME_REASON.match(reason):  # "same reason", adding to a return: its reason
            earlier = _same_reason((tracker.get_slot(TARGET) or {}).get("reason_so_far"), reason)
            if earlier:
                return {REASON: earlier[:500]}
        if len(reason) < 3 or NO_REASON.match(reason):
            dispatcher.utter_message(response="utter_invalid_return_reason")
            return {REASON: None}
        return {REASON: reason[:500]}


def only_names_items(text: str, entities: List[Dict[str, Any]]) -> bool:
    """ "the espresso beans", "just the mug": products named and nothing else, so no reason."""
    named = [e for e in entities if e.get("entity") in ("product", "category") and e.get("start") is not None]
    if not named:
        return False
    rest = text
    for entity in sorted(named, key=lambda e: -int(e["start"])):
        rest = rest[:int(entity["start"])] + " " + rest[int(entity["end"]):]
    return all(word in ONLY_ITEM_WORDS for word in re.findall(r"[a-z']+", rest.lower()))


# Words said around the items named: "just the beans", "the espresso beans pls", "oh the mug".
ONLY_ITEM_WORDS = frozenset("""the a an one of my those these this that just only please pls plz oh ah ok okay
    and also too both it is its it's""".split())


def _items_named_at_the_reason(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """An item named when the reason was asked (the customer heard "which item?"): the items are
    those named, if the order holds them, and the reason is asked again (QA: "the espresso beans" was
    stored as the reason)."""
    target = tracker.get_slot(TARGET) or {}
    choice, _ = choose_from_message(target.get("lines") or [], _text(tracker), _entities(tracker))
    if not choice.lines:
        if choice.problem and choice.problem[0] == "not_in_order":
            dispatcher.utter_message(response="utter_return_item_not_in_order", number=target.get("number", ""),
                                     name=choice.problem[1])
        return {REASON: None}
    dispatcher.utter_message(response="utter_return_items_noted", items=items_text(choice.lines))
    return {ITEMS: choice.lines, REASON: None}


def asks_which_order(text: str) -> bool:
    """ "wait which order is that", "what order is this about?": a short question, not a reason that
    mentions an order ("not the one i ordered")."""
    return WHICH_ORDER.search(text) is not None and ("?" in text or len(text.split()) <= 8)


def _say_which_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The order the return is about and what it holds (of a return on its way: what is still with
    the customer); the form then asks the reason again."""
    target = tracker.get_slot(TARGET) or {}
    lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines") or [])
    dispatcher.utter_message(response="utter_order_contents", number=target.get("number", ""), lines=lines,
                             total=format_price(int(target.get("total_minor") or 0), target.get("currency") or "EUR"))


async def _joining_its_return(tracker: Tracker, target: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """An order whose return is on the way: what is left of it to send back, and what its return
    holds and is worth so far (more joins the same return)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(target["number"])
    except BackendError as error:
        logger.warning("reading the return of %s failed: %s", target["number"], error)
        return None
    return {**target, "lines": order.left_to_return(), "returning": order.returning(),
            "refund_due_minor": order.refund_due_minor, "reason_so_far": order.return_reason,
            "shipping_minor": order.shipping_minor}


# "(it's {status})" of utter_return_already_requested: "(it's returned)" read oddly (t2 QA m14).
RETURN_STATES = {"return_requested": "waiting for the items to reach us",
                 "returned": "back with us, and its refund is being processed"}


def return_state_words(status: str) -> str:
    return RETURN_STATES.get(status, status_words(status))


def refusal_for(status: str) -> str:
    """Why an order in `status` can't go back, in the shop's words: not sent yet (cancelling is
    what the customer can do), on its way, already returned, refunded or cancelled."""
    if status in ("pending", "confirmed", "processing"):
        return "utter_return_not_delivered"
    return {
        "shipped": "utter_return_not_arrived",
        "return_requested": "utter_return_already_requested",
        "returned": "utter_return_already_requested",
        "refunded": "utter_return_already_refunded",
        "cancelled": "utter_return_cancelled",
    }.get(status, "utter_return_not_possible")


def _refused(dispatcher: CollectingDispatcher, number: str, status: str) -> List[Dict[Text, Any]]:
    """Why the order can't go back, in the shop's words; "I can cancel it instead" for one not sent
    yet leaves that question open, so its "yes" asks to cancel it (as the form's refusal does)."""
    response = refusal_for(status)
    dispatcher.utter_message(response=response, number=number, status=return_state_words(status))
    if response == "utter_return_not_delivered":
        return events_clearing((TARGET, ITEMS, REASON)) + [SlotSet(PENDING, "cancel_order"), SlotSet("order_id", number)]
    return events_clearing(FLOW_SLOTS)


async def _takes_back_a_cancel(dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """ "reinstate it", "can you reinstate my order", "restore my cancelled order" read as a return:
    the cancel's answer (a cancelled order stays so, its items offered as a new order), never the
    return's refusal or questions; only as a return starts ("undo my return" withdraws one)."""
    text = _text(tracker)
    if _return_under_way(tracker) or withdraws_a_return(text) or takes_out_of_the_return(text):
        return None
    from actions.cancel import undo_the_cancel_at_a_form  # here: actions.cancel imports this module
    return await undo_the_cancel_at_a_form(dispatcher, tracker, domain)


def _return_under_way(tracker: Tracker) -> bool:
    """A return is being made in this chat: its form asks one of its questions, its items are chosen,
    or its summary waits. Not the form's activation: Rasa validates it with the form already active
    and nothing asked yet, so "actually cancel my return, I'll keep it" only left a return never
    started, and the one registered stayed (t2 QA M1)."""
    asking = ((tracker.active_loop or {}).get("name") == "return_form"
              and tracker.get_slot("requested_slot") in (TARGET, ITEMS, REASON))
    return asking or isinstance(tracker.get_slot(ITEMS), list) or tracker.get_slot(PENDING) == "return_order"


def _means_the_registered_return(tracker: Tracker) -> bool:
    """ "cancel my return" with no return being made, or while more joins a registered one: the
    registered return (else it leaves the one being made)."""
    return not _return_under_way(tracker) or bool((tracker.get_slot(TARGET) or {}).get("returning"))


def _forget_another_flows_order(tracker: Tracker) -> List[Dict[Text, Any]]:
    """At the return's start, an order another flow left in `target_order` ("how do i send it back"
    while changing the address of an order on its way) is not the return's: it is looked up afresh,
    so an order not delivered is refused in the shop's words before anything is asked. The other
    flow's unanswered question goes with it (its "yes" would act on the order this form picks)."""
    if _return_under_way(tracker) or not tracker.get_slot(TARGET):
        return []
    events = [SlotSet(TARGET, None), SlotSet("requested_slot", None)]
    if tracker.get_slot(PENDING) in ("change_order", "change_address", "withdraw_return"):
        events.append(SlotSet(PENDING, None))
    tracker.slots.update({event["name"]: None for event in events})
    return events


def _sorry_for_the_fault(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """A return started by the shop's fault ("you sent me green mugs instead of blue ones", "wrong
    item received", "it arrived broken") hears the apology first, and the message is its reason
    (unless a reason is read with the items), so "why?" is not asked."""
    text = _text(tracker)
    fault = shops_fault(text)
    if fault is None:
        return {}
    if not _said_during_this_return(tracker, *SORRY.values()):
        dispatcher.utter_message(response=SORRY[fault])
    reason = tidy_reason(" ".join(text.split()))
    return {REASON: reason[:500]} if len(reason) >= 3 else {}


def added_to_refund(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What `items` add to the refund of the return they join: their price, and the shipping too
    when they are the rest of the order (the whole order then goes back)."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"]) - int(target["refund_due_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


# What the bot says while a return is asked about or just registered.
# Each way of saying a return was registered (who pays its postage).
REGISTRATIONS = ("utter_return_requested", "utter_return_requested_label", "utter_return_requested_wrong_item",
                 "utter_return_requested_no_label")
RETURN_TURNS = REGISTRATIONS + ("utter_confirm_return", "utter_confirm_return_items", "utter_confirm_return_more",
                                "utter_confirm_return_rest", "utter_ask_return_items", "utter_ask_return_more_items",
                                "utter_return_opened_consumable", "utter_return_opened_consumable_rest")


def continues_a_return(tracker: Tracker) -> bool:
    """ "i want to return 2 blue mugs" (read as an order), "the teapot too" or "I'd rather have the
    right ones sent" right after a return was asked about or registered, "you sent me green mugs
    instead of blue ones", or any message about the items at a return's summary ("no only 2 mugs
    not 3", "no!! i want to RETURN 1 white mug not buy"): the return form's, never checkout's. A
    purchase said in so many words ("i also want to buy a teapot") is checkout's."""
    text = _text(tracker)
    if buys(text):
        return False
    asked_about = last_utterance(tracker) in RETURN_TURNS
    about_a_return = asked_about or tracker.get_slot(PENDING) in ("return_order", "withdraw_return")
    return bool(RETURNING.search(text)) or (asked_about and bool(ALSO.search(text))) \
        or corrects_the_return(tracker) or reports_a_wrong_item(text) or (asked_about and wants_a_replacement(text)) \
        or (about_a_return and keeps_items(text, _entities(tracker)))  # "keep the chai, only send the teapot"


def buys(text: str) -> bool:
    """ "buy", "purchase", "i want to order …", not negated ("not buy", "i don't want to buy")."""
    return any(not NOT_BEFORE.search(text[:match.start()]) for match in BUYING.finditer(text))


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return tracker.latest_message.get("entities") or []


def _reason_said_before(tracker: Tracker, target: Dict[str, Any]) -> Dict[Text, Any]:
    """The shop's fault said a few messages before this return started, of this order's items or of
    none named ("my kettle arrived dented", then "return it for a refund"); not of a return already
    registered or left since."""
    skus = {line["sku"] for line in target.get("lines") or []}
    seen_latest, turns = False, 0
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in REGISTRATIONS or said in ("utter_return_not_requested", "utter_stopped"):
            return {}
        if event.get("event") != "user":
            continue
        if not seen_latest:  # the message being read
            seen_latest = True
            continue
        turns += 1
        if turns > EARLIER_TURNS:
            return {}
        text = " ".join(str(event.get("text") or "").split())
        named = {sku for entity in (event.get("parse_data") or {}).get("entities") or []
                 for sku in entity.get("skus") or []}
        if text.startswith("/") or shops_fault(text) is None or never_arrived(text) or (named and not named & skus):
            continue
        return {REASON: tidy_reason(text)[:500]}
    return {}


EARLIER_TURNS = 6  # how far back a reason said before the return counts


def _reason_said(tracker: Tracker, target: Optional[Dict[str, Any]] = None,
                 message: Optional[ReturnMessage] = None) -> Dict[Text, Any]:
    """The reason said with the items ("the teapot, the lid is cracked"); "same reason" is the
    reason of the return they join, or the one already given."""
    message = message or read_return_message(_text(tracker), _entities(tracker))
    reason = message.reason
    if not reason or NO_REASON.match(reason):
        return {}
    if SAME_REASON.match(reason):
        target = target or tracker.get_slot(TARGET) or {}
        reason = _same_reason(target.get("reason_so_far"), reason) or tracker.get_slot(REASON)
        return {REASON: reason[:500]} if reason else {}
    return {REASON: reason[:500]}


_NOT_NAMING = frozenset("same reason thing problem issue here as before the with for my other first last previous "
                        "earlier a its it is they re".split())


def _same_reason(so_far: Optional[str], said: str) -> Optional[str]:
    """The reason "same reason" means: the return's (the backend joins each addition's with "; "),
    or of those the one about the products named ("same reason as the other mugs")."""
    if not so_far:
        return None
    words = {w.rstrip("s") for w in re.findall(r"[a-z]+", said.lower()) if w not in _NOT_NAMING}
    about = [r for r in so_far.split("; ") if words & {w.rstrip("s") for w in re.findall(r"[a-z]+", r.lower())}]
    return about[0] if len(about) == 1 else so_far


def item_change(tracker: Tracker) -> Optional[ItemChange]:
    """More items or fewer for those chosen, at the return's summary or while its reason is asked."""
    target, chosen = tracker.get_slot(TARGET) or {}, tracker.get_slot(ITEMS)
    if "lines" not in target or not isinstance(chosen, list) or not chosen:
        return None
    return change_of_items(target["lines"], chosen, _text(tracker), _entities(tracker),
                           at_summary=tracker.get_slot("requested_slot") is None)


# "can i exchange the blue mug for a white one", "swap it for the bigger size", "i want a white one
# instead" (not "my money back instead"): another product for the one sent back.
EXCHANGE = re.compile(
    r"(?i)\b(?:exchange|swap|switch)\b.{1,40}?\b(?:for|with|into|to)\b|"
    r"\b(?:want|like|prefer|rather have|need)\b(?![^.!?]{0,30}\b(?:money|refund|cash|credit)\b)[^.!?]{0,30}?"
    r"\b(?:one|ones|colou?r|size|model|version)\s+instead\b")


def asks_for_an_exchange(text: str) -> bool:
    """Another product for the one going back; not a new one of the same (a replacement) nor the
    shop's fault (the team's replacement is offered for that)."""
    return bool(EXCHANGE.search(text)) and not wants_a_replacement(text) and shops_fault(text) is None


def _explain_the_exchange(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """An exchange is a return for a refund plus a new order, or a person arranges it (QA: "can i
    exchange it for the white one?" became a refund return without a word). Said once per return;
    the return goes on, the wish its reason, so its summary asks which they want."""
    text = _text(tracker)
    if not asks_for_an_exchange(text) or _said_during_this_return(tracker, "utter_return_exchange"):
        return []
    dispatcher.utter_message(response="utter_return_exchange")
    if tracker.get_slot(REASON):
        return []
    reason = f"exchange: {tidy_reason(' '.join(text.split()))}"[:500]
    tracker.slots[REASON] = reason
    return [SlotSet(REASON, reason)]


async def _exchange_without_an_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """ "can i exchange a mug for a different colour" from a chat with no orders and no number given:
    how exchanges work, and how to start one, instead of a bare "Which order is it?" that then came
    back under every answer (QA). True when said so."""
    text = _text(tracker)
    if _return_under_way(tracker) or not asks_for_an_exchange(text) or order_number(text):
        return False
    try:
        async with BackendClient(tracker.sender_id) as backend:
            if await backend.list_orders(limit=1):
                return False
    except BackendError as error:
        logger.warning("listing the orders of an exchange question failed: %s", error)
        return False
    dispatcher.utter_message(response="utter_return_exchange")
    dispatcher.utter_message(response="utter_return_exchange_no_order")
    return True


# The form's question for the order; asked again after one unrelated answer, but not under each (QA).
WHICH_ORDER_ASKED = "utter_ask_target_order"


def asked_which_order_enough(tracker: Tracker) -> bool:
    """The return form is back after another side answer while "Which order is it?" waits, and has
    asked it again once already since it started: the customer has moved on, so it ends quietly."""
    if tracker.get_slot("requested_slot") != TARGET or tracker.get_slot(TARGET):
        return False
    asked, answered_since = 0, False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name") == "return_form":
            break  # the form's start
        if kind == "user" and asked == 0 and not answered_since:
            return False  # a fresh message: validated as an answer, not a return after a side answer
        said = (event.get("metadata") or {}).get("utter_action") if kind == "bot" else None
        if said == WHICH_ORDER_ASKED:
            asked += 1
        elif kind == "bot" and asked == 0:
            answered_since = True
    return answered_since and asked >= 2


def wants_a_replacement(text: str) -> bool:
    return REPLACEMENT.search(text) is not None and NOT_REPLACEMENT.search(text) is None and SWAP.search(text) is None


def corrects_the_return(tracker: Tracker) -> bool:
    """While the return's summary waits for its yes, a message about its items, whatever the NLU
    read: a change ("no only 2 mugs not 3", "the teapot too"), or the items said again ("no!! i want
    to RETURN 1 white mug not buy"), which shows the summary again. Not a purchase said in so many
    words, nor a question about something else ("how much is the white mug?")."""
    if tracker.get_slot(PENDING) != "return_order" or tracker.get_slot("requested_slot"):
        return False
    text = _text(tracker)
    if buys(text):
        return False
    named = [e for e in _entities(tracker) if e.get("entity") in ("product", "category")]
    if RETURNING.search(text):  # "i want to RETURN 1 white mug", not "ok send them back" or "no, don't return it"
        return bool(named) or (decided_answer(text) is None and not LEADING_YES.match(text))
    if asks_instead_of_answering(text):
        return False
    if item_change(tracker) is not None:
        return True
    lines = (tracker.get_slot(TARGET) or {}).get("lines") or []
    return bool(named) and bool(choose_return_items(lines, named, text).lines)  # its items named again


def changes_the_return(tracker: Tracker) -> bool:
    """At the return's summary, a change of its items or a replacement asked for instead: the return
    form's to handle, not a yes or no."""
    return tracker.get_slot(PENDING) == "return_order" and (
        corrects_the_return(tracker) or wants_a_replacement(_text(tracker)) or asks_for_an_exchange(_text(tracker))
        or claims_a_warranty(_text(tracker)))


def leaves_the_return(tracker: Tracker) -> bool:
    """ "ok never mind the return for now", "forget the return", "no i don't want to send them back":
    no product named to send back."""
    products = any(e.get("entity") in ("product", "category") for e in _entities(tracker))
    text = _text(tracker)
    return (LEAVES_THE_RETURN.search(text) is not None or withdraws_a_return(text)) and not products


# "do i get a return label", "where do i send it back", "do you collect returns": how returns work
# ("how do i send it back" is a return: the form registers it and says where it goes).
RETURN_LOGISTICS = re.compile(
    r"(?i)\blabel\b|\breturn(?:s)? address\b|\b(?:where|which address|what address)\b.*\b(?:send|post|ship|return)\b|"
    r"\b(?:pick ?up|collect)\w*\b.*\b(?:return|home|house)\b|\bwho pays\b.*\breturn")


def asks_how_returns_work(text: str) -> bool:
    return bool(RETURN_LOGISTICS.search(text) or POSTAGE.search(text)) and (
        asks_instead_of_answering(text) or re.match(r"(?i)\s*(?:is|are|any)\b", text) is not None)


# "so who pays the postage?", "is the return shipping free?", "do i have to pay to send it back?"
POSTAGE = re.compile(
    r"(?i)\bwho (?:pays|covers|is paying|will pay)\b|\bprepaid\b|\b(?:return )?label\b|"
    r"\b(?:postage|return shipping|shipping back|sending (?:it|them) back|send(?:ing)? (?:it|them) back)\b.{0,30}"
    r"\b(?:free|pay|paid|cost|charge\w*|on (?:you|me|us))\b|"
    r"\b(?:pay|paying|cost|charged?)\b.{0,25}\b(?:postage|return shipping|shipping back|send(?:ing)? (?:it|them) back)\b")


def _registered_fault_return(tracker: Tracker) -> Optional[str]:
    """The response that said the return just registered in this chat was the shop's fault, if so."""
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in REGISTRATIONS:
            return said if said != REGISTERED[None] else None
    return None


def answer_about_the_postage(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "so who pays the postage? you said damaged items are free", about the return being made or
    just registered: who pays, said plainly (QA: the whole policy came back instead). None when
    the message asks no such thing or no return is in view (the policy answers that)."""
    if not POSTAGE.search(_text(tracker)):
        return None
    registered = _registered_fault_return(tracker)
    under_way = _return_under_way(tracker) or bool(tracker.get_slot(TARGET))
    if registered and not under_way:
        ticket = tracker.get_slot(OFFERED_TICKET)
        dispatcher.utter_message(response="utter_return_postage_ours" if ticket else "utter_return_postage_ask",
                                 ticket_id=ticket)
        return []
    if not under_way:
        return None
    fault = shops_fault(tracker.get_slot(REASON))  # not the message's: "you said damaged items are free"
    dispatcher.utter_message(response="utter_return_postage_free" if fault else "utter_return_postage_yours")
    return []


def _how_returns_work(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The return policy (where to, postage, label); a return under way asks its question again, one
    that this question itself started ends (a question is not a request to return something)."""
    if answer_about_the_postage(dispatcher, tracker) is None:
        dispatcher.utter_message(response="utter_faq/refund_policy")
    if not (tracker.get_slot(TARGET) or tracker.get_slot(ITEMS)):
        return [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]
    requested = tracker.get_slot("requested_slot")
    return [SlotSet(requested, None)] if requested else []


def _leave_the_return(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The return is left (or not started); another task's open question stays as it was."""
    under_way = bool(tracker.get_slot(TARGET) or tracker.get_slot(ITEMS)) or tracker.get_slot(PENDING) == "return_order"
    dispatcher.utter_message(response="utter_stopped" if under_way else "utter_nothing_to_stop")
    slots = (TARGET, ITEMS, REASON) + ((PENDING,) if tracker.get_slot(PENDING) == "return_order" else ())
    return events_clearing(slots) + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


async def _offer_a_replacement(dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> List[Dict[Text, Any]]:
    """ "i want a replacement": the bot registers returns for a refund; a replacement is arranged by
    the team, so it says so, opens a ticket about the order and offers a person. The refund return
    lapses: a replacement was chosen instead (QA: "no" to the person asked the refund again)."""
    target = tracker.get_slot(TARGET) or {}
    dispatcher.utter_message(response="utter_return_replacement")
    ours = tracker.get_slot(PENDING) == "return_order"  # its summary's question lapses too
    events: List[Dict[Text, Any]] = events_clearing((TARGET, ITEMS, REASON) + ((PENDING,) if ours else ()))
    if target.get("number"):  # the ticket names this order
        tracker.slots["order_id"] = target["number"]
        events.append(SlotSet("order_id", target["number"]))
    events += await open_complaint(dispatcher, tracker, domain)
    # after the form no rule may show the summary: the offer of a person is the open question
    return events + [SlotSet(PAUSED_FORM, None), SlotSet("requested_slot", None), ActiveLoop(None),
                     FollowupAction("action_listen")]


# "i want it repaired under warranty", "my kettle stopped working, is it under guarantee?": a claim
# about the customer's own item, not "do your products have a warranty".
WARRANTY = re.compile(r"(?i)\b(?:repair\w*|warrant(?:y|ee)|guarantee)\b")
THEIR_OWN = re.compile(r"(?i)\b(?:it|its|it'?s|my|mine|this|that|them|they|they'?re)\b|\bOB-?[0-9A-Z]{8}\b")
# An electrical item, which the 2-year warranty covers (faq/warranty).
ELECTRICAL = re.compile(r"(?i)\b(?:electric\w*|digital)\b")
ELECTRICAL_DETAILS = ("power", "temperature_control")
WARRANTY_TICKET = "warranty claim"


# What makes a mention of the warranty a claim: a repair asked for, or a fault.
CLAIMING = re.compile(r"(?i)\b(?:repair\w*|fix\w*|claim\w*|under (?:the |my |its )?(?:warranty|guarantee))\b")


def claims_a_warranty(text: str) -> bool:
    """Not "does it come with a warranty?": a repair or a fault of their own item."""
    return bool(WARRANTY.search(text) and THEIR_OWN.search(text)) and (
        bool(CLAIMING.search(text)) or shops_fault(text) == "damaged")


async def claim_under_warranty(dispatcher: CollectingDispatcher,
                               tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A warranty claim for an electrical item of a delivered order ("the grinder stopped working,
    i want it repaired under warranty"): a ticket on that order for the team to arrange the repair,
    and a person offered at once (QA: the warranty FAQ's "contact us" to a customer contacting us).
    A return under way lapses: a repair was chosen instead. None when the message claims nothing,
    or no delivered order of theirs holds an electrical item (the warranty FAQ answers that)."""
    if not claims_a_warranty(_text(tracker)):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            claimed = await _order_under_warranty(backend, tracker)
    except BackendError as error:
        logger.warning("looking for the order of a warranty claim failed: %s", error)
        return None
    if claimed is None:
        return None
    order, items = claimed
    dispatcher.utter_message(response="utter_warranty_claim", number=order.number, items=", ".join(items))
    tracker.slots["order_id"] = order.number
    ours = tracker.get_slot(PENDING) == "return_order"
    events = events_clearing((TARGET, ITEMS, REASON) + ((PENDING,) if ours else ())) + [
        SlotSet("order_id", order.number)]
    events += await ticket_with_an_offer(dispatcher, tracker, WARRANTY_TICKET, "utter_complaint_ticket",
                                         order=order.number, if_open="utter_ticket_already_open")
    return events + [SlotSet(PAUSED_FORM, None), SlotSet("requested_slot", None), ActiveLoop(None),
                     FollowupAction("action_listen")]


async def _order_under_warranty(backend: BackendClient, tracker: Tracker) -> Optional[Tuple[Order, List[str]]]:
    """The delivered order meant (the return's, the one talked about, the one holding a product
    named, else the newest) with its electrical items' names; None if it holds none."""
    meant = {(tracker.get_slot(TARGET) or {}).get("number"), order_number(tracker.get_slot("order_id") or ""),
             order_number(_text(tracker))} - {None}
    skus = set(named_skus(tracker))
    orders = [o for o in await backend.list_orders() if o.status in RETURNING_STATUSES]
    if skus:  # "my kettle": the orders holding it, the one meant first
        orders = [o for o in orders if skus & {line.sku for line in o.lines}]
    elif meant & {o.number for o in orders}:  # "i want it repaired": the order being talked about
        orders = [o for o in orders if o.number in meant]
    orders.sort(key=lambda o: o.number not in meant)  # stable: newest first otherwise
    for order in orders:
        electrical = [line for line in order.lines
                      if (not skus or line.sku in skus) and await _is_electrical(backend, line.sku)]
        if electrical:
            return order, [line.name for line in electrical]
    return None


async def _is_electrical(backend: BackendClient, sku: str) -> bool:
    product = await backend.get_product(sku)
    return bool(ELECTRICAL.search(product.name)) or any(detail in product.attributes for detail in ELECTRICAL_DETAILS)


async def _with_categories(tracker: Tracker, lines: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The lines with their products' categories, so "the mugs" can name them; without them if
    the backend can't say (products are then named one by one)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            categories = {line["sku"]: (await backend.get_product(line["sku"])).category for line in lines}
    except BackendError as error:
        logger.warning("product categories for a return failed: %s", error)
        return lines
    return [{**line, "category": categories[line["sku"]]} for line in lines]


def _count_for_the_product_before(tracker: Tracker, lines: List[Dict[str, Any]],
                                  choice: ReturnChoice) -> Optional[ReturnChoice]:
    """"2" right after "3 blue mugs" got "you can return up to 2" (or "some mugs" got "how many?"):
    the count is for that product; so is "sorry i meant 1 mug" when the mug asked about is one of
    the mugs it could mean (QA: "which mug?" was asked, and 2 blue mugs proposed after)."""
    count = quantity_in(_text(tracker))
    previous = [e for e in tracker.events if e.get("event") == "user"][-2:-1]
    if count is None or not previous:
        return None
    said = (previous[0].get("parse_data") or {}).get("entities") or []
    before = choose_return_items(
        lines, [{**e, "quantity": count} for e in said if e.get("entity") in ("product", "category")], "")
    if len(before.lines) != 1:
        return None
    if choice.problem and choice.problem[0] == "ambiguous":
        asked_how_many = last_utterance(tracker) in ("utter_return_items_too_many", "utter_return_items_how_many")
        could_mean = {sku for e in _entities(tracker) for sku in (e.get("skus") or [])}
        if not asked_how_many or before.lines[0]["sku"] not in could_mean:
            return None
    return before


def _with_the_count_said_before(tracker: Tracker, choice: ReturnChoice) -> ReturnChoice:
    """ "the blue one" answering "which mug?" for "1 mug": that many of it, not all of them."""
    previous = [e for e in tracker.events if e.get("event") == "user"][-2:-1]
    if not previous:
        return choice
    said = [explicit_quantity(e) for e in (previous[0].get("parse_data") or {}).get("entities") or []
            if e.get("entity") in ("product", "category")]
    count = next((n for n in said if n is not None), None) or quantity_in(previous[0].get("text") or "")
    line = choice.lines[0]
    if count is None or not 1 <= count <= int(line["quantity"]):
        return choice
    return ReturnChoice(lines=[{**line, "quantity": count}], named={line["sku"]: count}, counted=[line["sku"]])


class ActionConfirmReturn(Action):
    def name(self) -> Text:
        return "action_confirm_return"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, items = tracker.get_slot(TARGET), tracker.get_slot(ITEMS)
        reason = tracker.get_slot(REASON)
        if not target or not items or not reason:  # refused by the form, which said why
            ours = tracker.get_slot(PENDING) == "return_order"  # not a cancel offered instead
            return events_clearing(FLOW_SLOTS if ours else (TARGET, ITEMS, REASON))
        if target.get("status", "delivered") not in RETURNING_STATUSES:  # another flow's order: why not
            return _refused(dispatcher, target["number"], target["status"])
        if never_arrived(reason):  # "why?" "it never came": nothing to send back
            return events_clearing(FLOW_SLOTS) + await _not_received(dispatcher, tracker, target["number"])
        categories = {line["sku"]: line.get("category") for line in target["lines"]}
        opened = [item for item in items if categories.get(item["sku"]) in CONSUMABLES]
        events: List[Dict[Text, Any]] = []
        if opened and OPENED.search(reason) and not FAULTY.search(reason) and not UNOPENED.search(reason):
            rest = [item for item in items if item not in opened]
            if not rest:
                dispatcher.utter_message(response="utter_return_opened_consumable", items=items_text(opened))
                return events_clearing(FLOW_SLOTS)
            # "the mugs are too small and i opened the tea": the tea stays, the mugs still go back
            # (QA: the whole return was dropped, and "ok just the mugs then" became a product search)
            dispatcher.utter_message(response="utter_return_opened_consumable_rest", items=items_text(opened),
                                     rest=items_text(rest))
            items, events = rest, [SlotSet(ITEMS, rest)]
        fault = shops_fault(reason)
        if fault and not _said_during_this_return(tracker, *SORRY.values()):
            dispatcher.utter_message(response=SORRY[fault])  # the shop's fault: sorry first
        if fault == "wrong_item" and not _said_during_this_return(tracker, "utter_return_wrong_item_note"):
            # the order's lines are refunded, but what goes back is what came instead (QA: "send back
            # the espresso cups" to a customer who got mugs)
            dispatcher.utter_message(response="utter_return_wrong_item_note", items=items_text(items))
        if target.get("returning"):  # its return is on the way: these join it (the rest: shipping back too)
            # "so the shipping is refunded too" only when there was shipping to refund (t2 QA m6)
            rest = is_whole_order(items, target["lines"]) and int(target.get("shipping_minor", 1)) > 0
            dispatcher.utter_message(
                response="utter_confirm_return_rest" if rest else "utter_confirm_return_more",
                number=target["number"], items=items_text(items),
                returning=items_text(target["returning"]), reason=reason,
                amount=format_price(added_to_refund(target, items), target["currency"]))
            return events + [SlotSet(PENDING, "return_order")]
        whole = is_whole_order(items, target["lines"])
        dispatcher.utter_message(
            response="utter_confirm_return" if whole else "utter_confirm_return_items",
            number=target["number"], items=items_text(items), reason=reason,
            amount=format_price(refund_due(target, items), target["currency"]))
        return events + [SlotSet(PENDING, "return_order")]


NOT_RECEIVED_TICKET = "delivered order not received"  # as support.py's "yes" to the tracking offer names it


async def _not_received(dispatcher: CollectingDispatcher, tracker: Tracker, number: str) -> List[Dict[Text, Any]]:
    """An order the customer never got is no return (QA: "return it, it never arrived" registered
    one and asked them to post back what they don't have): the team claims it from the carrier
    (a ticket, the one already open about it if any) and a person is offered."""
    dispatcher.utter_message(response="utter_return_not_received", number=number)
    tracker.slots["order_id"] = number
    return [SlotSet("order_id", number)] + await ticket_with_an_offer(
        dispatcher, tracker, NOT_RECEIVED_TICKET, "utter_complaint_ticket", order=number,
        if_open="utter_ticket_already_open")


def _as_slots(events: List[Dict[Text, Any]]) -> Dict[Text, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def _said_during_this_return(tracker: Tracker, *responses: Text) -> bool:
    """One of `responses` was said since the last return was registered or left (once per return)."""
    ends = REGISTRATIONS + ("utter_return_not_requested", "utter_stopped", "utter_nothing_to_stop")
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in responses:
            return True
        if said in ends:
            return False
    return False


class ActionAskReturnItems(Action):
    """Shows what the order holds and asks which of it goes back."""

    def name(self) -> Text:
        return "action_ask_return_items"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if said_this_turn(tracker, "utter_return_items_"):
            return []  # "you can return up to 2. How many go back?" already asks
        target = tracker.get_slot(TARGET) or {}
        lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines", []))
        if target.get("returning"):
            dispatcher.utter_message(response="utter_ask_return_more_items", number=target.get("number", ""),
                                     lines=lines, returning=items_text(target["returning"]))
            return []
        dispatcher.utter_message(response="utter_ask_return_items", number=target.get("number", ""),
                                 lines=lines)
        return []


async def answer_return(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    target, reason = tracker.get_slot(TARGET) or {}, tracker.get_slot(REASON)
    items = tracker.get_slot(ITEMS) or []
    number = target.get("number")
    if not affirmed and target.get("returning"):  # its registered return stays as it is
        dispatcher.utter_message(response="utter_return_more_not_added", number=number,
                                 returning=items_text(target["returning"]))
        return events_clearing(FLOW_SLOTS)
    if not affirmed:
        dispatcher.utter_message(response="utter_return_not_requested", number=number)
        return events_clearing(FLOW_SLOTS)
    lines = None if is_whole_order(items, target.get("lines") or []) else items
    try:
        async with BackendClient(tracker.sender_id) as backend:
            try:
                order = await backend.request_return(number, reason, lines)
            except Refused as refusal:  # said from the order's state, in the shop's words
                now = await backend.get_order(number)
                if ValidateReturnForm().refusal(now) is not None:
                    return _refused(dispatcher, number, now.status)
                dispatcher.utter_message(response="utter_return_refused", number=number, reason=refusal.detail)
                return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: the user can say "yes" again
        logger.warning("return request for %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return events_clearing(FLOW_SLOTS) + await _say_registered(dispatcher, tracker, order, reason)


# Why the team is asked to send a prepaid label: the return is the shop's fault, so its postage is ours.
LABEL_TICKET = "prepaid return label"
# The return registered, by who pays its postage: the customer, or the shop (by the fault).
REGISTERED = {None: "utter_return_requested", "damaged": "utter_return_requested_label",
              "wrong_item": "utter_return_requested_wrong_item"}


async def _say_registered(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order,
                          reason: Optional[str]) -> List[Dict[Text, Any]]:
    """ "Done: the return … is registered", with where and how it goes back. The shop's fault
    (damaged, faulty, the wrong item sent) goes back free, as the policy says: a ticket asks the
    team for the prepaid label, and a person asked for later takes that ticket (QA: the customer
    was told to post a broken mug to Dublin at their own cost)."""
    returning = order.returning()
    values = dict(number=order.number, items=items_text(returning),
                  them="it" if sum(item["quantity"] for item in returning) == 1 else "them",
                  amount=format_price(order.refund_due_minor, order.currency))
    fault = shops_fault(reason)
    if fault is None:
        dispatcher.utter_message(response=REGISTERED[None], **values)
        return []
    try:
        ticket = await _open_ticket(tracker, LABEL_TICKET, order=order.number)
    except BackendError as error:  # registered all the same: a person sends the label
        logger.warning("could not open the return label ticket of %s: %s", order.number, error)
        dispatcher.utter_message(response="utter_return_requested_no_label", **values)
        return []
    dispatcher.utter_message(response=REGISTERED[fault], ticket_id=ticket.id, **values)
    return [SlotSet(OFFERED_TICKET, ticket.id)]
