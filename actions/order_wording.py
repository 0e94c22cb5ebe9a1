"""How customers word questions about their orders: their own order or orders in general, a
follow-up on the order just talked about, all their orders, a parcel that never came. The tracking
actions (actions/orders.py) decide by these, whichever intent the NLU gave: real customers ask
both ways."""
from __future__ import annotations

import re
from typing import List, Optional

from actions.parsing import foreign_place

# "it says delivered but I never got it": a delivered order the customer does not have.
NOT_RECEIVED = re.compile(
    r"(?i)\b(not|never|didn'?t|did not|haven'?t|have not|hasn'?t|nahi|nhi)\b.{0,25}"
    r"\b(receiv\w*|got|get|arriv\w*|came|come|deliver\w*|mila|aaya)\b|\b(missing|stolen|lost)\b|"
    r"\bnothing (?:here|came|arrived|was (?:there|delivered|left))\b|\bnot here\b|\bno (?:parcel|package|sign of it)\b|"
    # "package shows delivered but nothing at my door", "it's not at my door"
    r"\b(?:nothing|not|isn'?t|wasn'?t|no (?:parcel|package|box)) (?:at|on|in|by) (?:my|the|our) "
    r"(?:door\w*|porch|mailbox|letterbox|reception|house|home|flat|apartment)\b")

# Delivery-time questions about the customer's own order ("when will my parcel come") want its
# status and expected date; general ones ("how many days does delivery take", "if I order today
# when will it come") want the shop's delivery times.
OWN_ORDER = re.compile(
    r"(?i)\b(?:my|our|mine)\s+(?:\w+\s+){0,2}?(?:order|orders|parcel|parcels|package|packages|packet|"
    r"delivery|shipment|item|items|stuff|things|purchase|products?|goods|box)\b|\border\s*(?:no\b|number|#)")
HYPOTHETICAL = re.compile(
    r"(?i)\bif (?:i|we|u|you)\b.{0,25}\b(?:order|buy|purchase|place|book)|"
    r"\b(?:order|buy|purchase)(?:ing|ed)?\s+(?:it\s+|them\s+|one\s+)?(?:now|today|tonight|tomorrow|this week)\b|"
    r"\bbefore (?:i|we) (?:order|buy)|\bnext order\b|\b(?:usually|normally|generally)\b")
HOW_LONG = re.compile(
    r"(?i)\bhow (?:long|many days|many weeks|soon|fast|quick(?:ly)?)\b|\bdelivery (?:time|period|duration)s?\b|"
    r"\bkitne din\b|\btime (?:for|to|taken for) (?:deliver|delivery|ship)")


# A follow-up about the order just talked about ("did it ship yet", "when will it arrive", "the
# tracking number?"), unlike "my last order" or "my other order".
FOLLOW_UP = re.compile(r"(?i)\b(?:it|its|it'?s|that|this|that one|this one|the order|the parcel|the package|"
                       r"tracking|courier|carrier|"
                       # "why so long?", "any update?": about the order just talked about, though unnamed
                       r"why so (?:long|late|slow)|how (?:much )?longer|any (?:update|news)|still (?:not|nothing|waiting)|"
                       r"taking (?:so|too) long|so late)\b")
# "when?", "and when", "by when": right after an answer about an order, when that order comes.
_BARE_WHEN = (r"^\W*(?:(?:and|so|but|ok|okay|ya|yeah)\W+)?(?:(?:by|till|until)\s+)?when"
              r"(?:\s+(?:then|exactly|though|tho))?\W*$")
BARE_WHEN = re.compile(_BARE_WHEN, re.IGNORECASE)
# "when will it arrive", "order OB-… when does it ship", "how long will it take": when an order comes.
WHEN_IT_COMES = re.compile(
    _BARE_WHEN + r"|\bwhen\b.{0,40}\b(?:arriv\w*|come|coming|get (?:here|it|them|my)|be here|deliver\w*|ship\w*|"
    r"dispatch\w*|sent|send|reach\w*|receive|expect\w*)\b|\bhow (?:long|soon|many days)\b|\beta\b|"
    r"\bdelivery date\b|\bexpected (?:delivery|arrival|date)\b", re.IGNORECASE)
# "late?", "still late", "eta?": a word or two right after an answer about an order, about that order.
BARE_FOLLOW_UP = re.compile(_BARE_WHEN + r"|^\W*(?:(?:and|so|but|still|its|it'?s)\s+)?(?:late|delayed|eta|status|"
                            r"update|updates|news)\W*$", re.IGNORECASE)
# "ok back to my order", "continue with the mugs": back to the order being made.
BACK_TO_THE_ORDER = re.compile(r"(?i)\b(?:back to|continue|carry on|go on with|resume|where were we)\b")
ANOTHER_ORDER = re.compile(r"(?i)\b(?:my|last|latest|other|another|all|new|newest|previous|first)\b|"
                           r"\bit (?:usually )?takes?\b")  # "how long does it take": in general

# "show all my orders", "what about my other order", "i have another order that never came".
ALL_ORDERS = re.compile(r"(?i)\b(?:all|other|another|previous|older|earlier|second|both|list)\b(?:\s+\w+){0,2}?"
                        r"\s+orders?\b|\bmy orders\b|\borders (?:i|we) (?:placed|made)\b")

# About the parcel on its way ("tracking number?", "which courier", "it was supposed to arrive ages
# ago"): with several orders, the one shipped is meant, not the newest still being packed.
ABOUT_A_SHIPMENT = re.compile(
    r"(?i)\b(?:tracking|track(?:ing)? (?:no|number|id|link)|courier|carrier|dhl|ups|dpd|gls|hermes|fedex|"
    r"late|delayed|overdue|ages|supposed to (?:arrive|come|be here)|still (?:not|waiting)|not (?:yet )?arrived)\b")

# "my order is late", "why so long", "it should be here by now": an order said to be late (not "is it
# too late to cancel").
SAYS_LATE = re.compile(
    r"(?i)\b(?<!too )(?:late|delayed|overdue)\b|\b(?:ages|forever)\b|\bsupposed to (?:arrive|come|be here)\b|"
    r"\bshould (?:have )?(?:be here|arrived|come)\b|\bstill (?:not|nothing|waiting)\b|\bnot (?:yet )?arrived\b|"
    r"\bwhy (?:so|is it so|is it taking so) (?:long|slow)\b|\btaking (?:so|too) long\b|\bhow (?:much )?longer\b")
# "the tracking number is not working", "it says DHL but the tracking doesnt work": a tracking that fails.
TRACKING_FAILS = re.compile(
    r"(?i)\b(?:tracking|track(?:ing)? (?:no|number|id|link)|dhl|ups|dpd|gls|hermes|fedex)\b.{0,40}?"
    r"\b(?:not|doesn'?t|does not|isn'?t|won'?t|can'?t|cannot|invalid|wrong|error|broken|nothing)\b|"
    r"\b(?:can'?t|cannot|unable to) track\b")
# "cancel my first order", "the older order", "the oldest one": the earliest order, not the newest
# ("the first one" from a list the bot showed is the first listed: ORDINAL).
EARLIEST = re.compile(r"(?i)\b(?:first|oldest|older|earlier|earliest)\s+(?:order|purchase)\b(?!s)|"
                      r"\b(?:oldest|older|earlier|earliest)\s+one\b")

# "the second one", "2nd", "the last one": a pick from the orders just listed.
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "last": -1}
ORDINAL = re.compile(r"(?i)\b(" + "|".join(ORDINALS) + r")\b")
# "the second one", "2nd pls", "the last order": nothing but a pick from a list.
PICKS_FROM_A_LIST = re.compile(r"(?i)^\W*(?:(?:and|ok|okay|so|no|i mean)\W+)*(?:the\s+)?(?:" + "|".join(ORDINALS)
                               + r")(?:\s+(?:one|order))?(?:\s+(?:pls|plz|please))?\W*$")
# "the mugs one", "the teapot order", "the one with the glasses": an order told by what it holds.
BY_ITS_ITEMS = re.compile(r"(?i)\b(?:one|ones|order|orders|parcel|package)\b")
# Words of a new purchase or a change, which make "the blue one" no pick of an order.
BUYS_OR_CHANGES = re.compile(r"(?i)\b(?:buy|purchase|want|need|take|add|remove|swap|replace|change|cancel|return|"
                             r"instead|also|too|more|another|new)\b")

# "do you give a tracking number once something ships?", "is international delivery tracked": how
# tracking works, asked in general (a sentence without "my" or an order number; QA17: delivery times
# or "what's your order number?" answered it).
_TRACKING_IN_GENERAL = re.compile(
    r"(?i)\b(?:do|will|would|does|is|are|can)\s+(?:\w+\s+){0,5}?(?:tracked\b|tracking\s+(?:number|no|link|code|id|info)|"
    r"(?:send|give|provide|get|share|have|offer)\s+(?:a\s+|any\s+|the\s+)?tracking\b)")
_OWN = re.compile(r"(?i)\b(?:my|mine|our)\b|\bOB-?[0-9A-Z]{8}\b")


def asks_how_tracking_works(text: str) -> bool:
    return any(_TRACKING_IN_GENERAL.search(part) and not _OWN.search(part)
               for part in re.split(r"[?.!;]+", text or ""))


# "what's in my order", "what did I order": the order's items, with its status.
ASKS_CONTENTS = re.compile(
    r"(?i)\bwhat(?:'?s| is| was| are| were)? (?:in|inside) (?:my|the|it|that|this|order)|"
    r"\bwhat (?:did|have) (?:i|we) (?:order|ordered|buy|bought|get|purchase)|"
    r"\bwhat (?:items|products|things|stuff)\b.{0,20}\b(?:order|ordered|bought)|"
    r"\b(?:items|products|contents?)(?: are| were)? (?:in|of) (?:my|the|this|that|order)|"
    r"\border (?:details|contents|items)\b")

# Why a customer cancels, as they say it: "because I found it cheaper", "ordered it by mistake".
_BECAUSE = re.compile(r"(?i)\b(?:because|since|coz|cuz|'?cause|bc|b/c|due to|as (?:i|we|it)\b)\s*(.{3,})")
_A_REASON = re.compile(
    r"(?i)\b(?:cheaper|mistake|by accident|accidental\w*|changed? (?:my|of) mind|(?:don'?t|do not|no longer) need|"
    r"not needed|too (?:long|late|expensive|slow)|taking (?:so|too) long|wrong|duplicate|twice|double|elsewhere|"
    r"delay\w*|can'?t afford|moving|moved|budget|found (?:it|a|one|another|something)|customs|dut(?:y|ies)|"
    r"import (?:vat|tax|fees?)|shipping (?:costs?|fees?))\b")


# The yes and filler before a reason said with the answer ("yeah found it cheaper elsewhere"): the
# answer, not the reason ("no longer need it" keeps its "no").
_TALK_BEFORE = re.compile(r"(?i)^(?:(?:yes|yeah|yea|yep|yup|ya|ok|okay|sure|so|well|um+|uh+|hmm+|actually|"
                          r"honestly|basically|i mean|go ahead|do it|please|pls|cancel(?:\s+(?:it|that|this|the order|my order))?)\b"
                          r"[\s,.!-]*)+")


def cancel_reason(*texts: str) -> str:
    """The reason in the customer's words, from the first of `texts` that gives one; "" if none."""
    for text in texts:
        because = _BECAUSE.search(text or "")
        if because:
            return because.group(1).strip(" .!?")[:300]
        clause = next((c for c in re.split(r"[,.;!?]|\b(?:and|but|pls|please)\b", text or "") if _A_REASON.search(c)), None)
        if clause:
            return _TALK_BEFORE.sub("", clause.strip())[:300]
    return ""

# "i want to return 2 blue mugs", "send back one of the mugs": a return, whatever the NLU read.
RETURNING = re.compile(r"(?i)\b(?:return(?:ing)?|send(?:ing)?(?:\s+[\w']+){0,5}?\s+back|sent back|"
                       r"give(?:\s+[\w']+){0,3}?\s+back)\b(?!\s+(?:policy|policies|window|period|label)\b)")
# "the teapot too", "and the kettle as well": more of what was just talked about.
ALSO = re.compile(r"(?i)\b(?:too|as well|also|and|another|more|other|rest)\b")

# "what orders do i have", "show my orders": the customer's orders, not a new one.
WHICH_ORDERS = re.compile(r"(?i)\b(?:what|which|show|list|see|check|view)\b.{0,15}\borders\b|"
                          r"\borders (?:do |have )?(?:i|we) (?:have|got|placed|made)\b")
# "and the other order?", "what about my previous order": a question about an order, not a new one.
ABOUT_ANOTHER_ORDER = re.compile(r"(?i)^\W*(?:(?:and|what about|how about|n)\s+)?(?:the|my|that)\s+"
                                 r"(?:other|second|older|previous|earlier|first)\s+(?:order|one)\W*$")

# "where is the order with the mugs", "where's my kettle": a question about an order on its way.
WHERE_IS = re.compile(r"(?i)^\W*(?:(?:hi|hey|hello|ok|so|and|but)\W+)?(?:where(?:'?s| is| are)|wheres|"
                      r"(?:has|did) (?:it|my \w+|the \w+) (?:ship|shipped|arrive|arrived|come|left)|"
                      r"when (?:will|does|is) (?:it|my \w+|the \w+) (?:arrive|come|get here|be here|ship))\b")


# "did you send me a confirmation email?", "i didn't get the confirmation email", "was the order
# confirmation sent to my email": whether an order was confirmed by email (the shop sends none);
# also "confirmation mail", "conf email", "the order email", and a mail never got ("i didnt get any
# mail", "no mail received yet"; QA16: the order's status alone had answered).
_MAIL = r"(?:e-?)?mails?"
CONFIRMATION_EMAIL = re.compile(
    rf"(?i)\b(?:confirm\w*|conf)\s+{_MAIL}\b|\b{_MAIL}\s+confirm\w*|\be-?mail(?:ed)?\b.{{0,30}}\bconfirm\w*|"
    rf"\bconfirm\w*\b.{{0,30}}\b(?:by|via|per|through|in|to) (?:my |the |your |an )?{_MAIL}\b|"
    rf"\border\s+{_MAIL}\b|"
    rf"(?:\bnever|\bnot|n'?t|\byet to)\s+(?:\w+\s+)?(?:got|get|gotten|receive[ds]?|seen?)\s+(?:a |an |any |the |my |your )?"
    rf"{_MAIL}\b(?!\s+(?:about|from you about|re)\b)|"
    rf"\bno\s+{_MAIL}\s+(?:\w+\s+)?(?:received|came|come|arrived|yet|from you)\b|"
    rf"\b{_MAIL}\s+(?:never|hasn'?t|has not|didn'?t|did not)\s+(?:\w+\s+)?(?:came|come|arrived?)\b|"
    rf"\b(?:did|have|has) (?:you|u) (?:\w+ )?(?:send|sent|e-?mailed|mailed) (?:me )?(?:a |an |any |the )?{_MAIL}\b")


def asks_about_a_confirmation_email(text: str) -> bool:
    """About an order's confirmation email, not an email address given ("my email is ada@…, confirm it")."""
    return "@" not in text and CONFIRMATION_EMAIL.search(text) is not None


def asks_about_orders(text: str) -> bool:
    """ "order details pls", "and the other order?", "where is the order with the mugs", "what
    orders do i have": about orders placed, however the NLU read it."""
    return any(pattern.search(text) for pattern in (ASKS_CONTENTS, ABOUT_ANOTHER_ORDER, WHERE_IS, WHICH_ORDERS))


def of_category(name: str, category: str) -> bool:
    """A product's name is of a category named by its word in it: "Ceramic Mug Red" is of "Mugs"."""
    word = str(category).lower().rstrip("s")
    return re.search(rf"\b{re.escape(word)}s?\b", name.lower()) is not None


# "is the coffee shipped?", "has my moka pot been dispatched yet", "is the kettle on its way": whether
# something ordered has gone out (not "are beans shipped right after roasting": how the shop ships).
ASKS_IF_SENT = re.compile(
    r"(?i)\b(?:is|are|has|have|did|was|were)\s+(?:the|my|our|it|they|those|these)\b(?:\s+[\w-]+){0,4}?\s+"
    r"(?:been\s+)?(?:ship(?:ped)?|dispatch(?:ed)?|sent|posted|out for delivery|on (?:its|their|the) way|"
    r"deliver(?:ed)?|arriv(?:e|ed))\b(?!.{0,30}\b(?:after|usually|normally|always|within)\b)"
    # "is the kettle delivered with a plug", "is the coffee shipped in a bag": how it comes
    r"(?!\s+(?:with|in (?:a|an|the|its)|as|free|for free|fresh|ground|whole|insured|assembled|together|separately)\b)")
# "is my order shipped yet", "any update on my order", "where is it": a question about an order placed.
STATUS_QUESTION = re.compile(
    r"(?i)\b(?:order|orders|parcel|package|shipment|delivery|tracking|courier|status|update|news|eta)\b|"
    r"\bwhere(?:'?s| is| are)\b|\b(?:ship|shipped|dispatched|arrived?|delivered|late)\b")
# "whats the delivery address on it?", "which address is it going to": the address an order goes to.
ASKS_ITS_ADDRESS = re.compile(
    r"(?i)\b(?:what|which|whats|what'?s|wat|where)\b[^?.!]{0,30}\baddress\b|"
    r"\baddress\b[^?.!]{0,20}\b(?:on|of|for|in)\s+(?:it|that|this|the order|that order|this order)\b|"
    r"\bwhere (?:is|'s|will) it (?:going|be going|being sent|being delivered|be delivered|be sent)(?: to)?\b|"
    r"\bwho is it (?:going|addressed|being sent) to\b")
# "add a french press to it", "change the address", "remove the mugs from that order": a change of
# the order talked about (the cancel has its own answers).
CHANGES_THE_ORDER = re.compile(
    r"(?i)\b(?:add|remove|take out|drop|swap|replace|make it|make that|"
    r"(?:change|update|edit|modify) (?:it|its|the|my|that|this)|(?:send|ship|deliver|redirect|forward) "
    r"(?:it|them|the order|that order) to)\b")
# "to it", "from that order", "on this one": the order just talked about, by a word for it.
TO_THAT_ORDER = re.compile(r"(?i)\b(?:to|from|in|into|on|onto|of)\s+(?:it|that|this|that one|this one|the order|"
                           r"that order|this order)\b")

# A postcode asked about, not an order number: "delivery time to 560001 pincode", "how many days
# delivery to 10115 berlin", "ship to 560001?", "zip 75001".
_POSTCODE_WORD = r"(?:pin\s*-?\s*code|pincode|pin|post\s*-?\s*code|postal\s+code|zip(?:\s*code)?|plz)"
# Words of a delivery question, which make "to 10115" a place.
_DELIVERY_WORDS = re.compile(r"(?i)\b(?:deliver\w*|ship\w*|send|sent|post(?:age)?|courier|how long|how many days|"
                             r"how soon|days?|arriv\w*|reach\w*|eta)\b")
_POSTCODE_SAID = re.compile(rf"(?i)\b{_POSTCODE_WORD}\s*(?:no\.?|number|is|:|-|#)?\s*(\d{{4,6}})\b|"
                            rf"\b(\d{{4,6}})\s*{_POSTCODE_WORD}\b")
_TO_A_POSTCODE = re.compile(
    r"(?i)\b(?:to|till|until|upto|in|for)\s+(\d{4,6})\b(?!\s*(?:items?|units?|pcs|pieces|orders?|bags?|packs?|"
    r"packets?|mugs?|of|x|×|euros?|eur|€|days?|weeks?|hours?|min\w*)\b)"
    r"(?=\s*(?:[?.!,]|$|(?!(?:is|be|has|was|will|when|where|arriv\w*|come|coming|ship\w*|deliver\w*|status|"
    r"order|pls|please|still|yet|not)\b)[^\W\d_]{3,}))")
# Places we deliver to whose postcodes have six digits, like India's PIN codes (Romania).
_SIX_DIGIT_SERVED = re.compile(r"(?i)\b(?:romania|rom[aâ]nia|bucharest|bucure[sș]ti|cluj|timi[sș]oara|ia[sș]i)\b")


def destination_postcodes(text: str) -> List[str]:
    """The postcodes a delivery question names ("to 10115 berlin", "560001 pincode", "what about
    400001 mumbai"), as written."""
    said = [m.group(1) or m.group(2) for m in _POSTCODE_SAID.finditer(text or "")]
    if _DELIVERY_WORDS.search(text or ""):
        said += [m.group(1) for m in _TO_A_POSTCODE.finditer(text or "") if not named_as_an_order(text, m.start(1))]
    said += beside_a_place_not_served(text or "")
    return list(dict.fromkeys(said))


def named_as_an_order(text: str, start: int) -> bool:
    """The number at `start` follows "order", "OB", "order no." or "#": an order's."""
    return re.search(r"(?i)(?:\b(?:order|ob)\s*(?:no\.?|number|#)?|#)\s*$", text[:start]) is not None


_BARE_NUMBER = re.compile(r"(?<![\w#-])(\d{4,6})(?![\w-])")
_WORDS_BEFORE = re.compile(r"(?:[^\W\d_]+[\s,]+){1,2}$")
_WORDS_AFTER = re.compile(r"[\s,]+[^\W\d_]+(?:\s+[^\W\d_]+)?")


def beside_a_place_not_served(text: str) -> List[str]:
    """Numbers written next to a place we don't deliver to: "ok what about 400001 mumbai", "delhi
    110001" (QA16: "I can't find order 400001 on this chat"); an order's number never ("order
    400001 from mumbai")."""
    found = []
    for match in _BARE_NUMBER.finditer(text):
        if named_as_an_order(text, match.start(1)):
            continue
        near = (_WORDS_BEFORE.search(text[:match.start()]), _WORDS_AFTER.match(text, match.end()))
        if any(words and foreign_place(words.group(0)) for words in near):
            found.append(match.group(1))
    return found


def within_postcode(number: object, text: str) -> bool:
    """`number` ("560001", "10115") is a postcode the message asks about, not an order's number."""
    return str(number or "").strip() in destination_postcodes(text)


def indian_pin_code(text: str, said: Optional[str] = None) -> Optional[str]:
    """The six-digit postcode of a delivery question ("560001"), or `said`, the postcode read from
    the talk: an Indian PIN code (we don't deliver to India) unless a place of Romania, whose
    postcodes have six digits too, is named."""
    six = next((code for code in [said] + destination_postcodes(text) if code and len(code) == 6), None)
    return None if six is None or _SIX_DIGIT_SERVED.search(text) else six
