"""How customers word questions about their orders: their own order or orders in general, a
follow-up on the order just talked about, all their orders, a parcel that never came. The tracking
actions (actions/orders.py) decide by these, whichever intent the NLU gave: real customers ask
both ways."""
from __future__ import annotations

import re

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
    r"delay\w*|can'?t afford|moving|moved|budget|found (?:it|a|one|another|something))\b")


def cancel_reason(*texts: str) -> str:
    """The reason in the customer's words, from the first of `texts` that gives one; "" if none."""
    for text in texts:
        because = _BECAUSE.search(text or "")
        if because:
            return because.group(1).strip(" .!?")[:300]
        clause = next((c for c in re.split(r"[,.;!?]|\b(?:and|but|pls|please)\b", text or "") if _A_REASON.search(c)), None)
        if clause:
            return clause.strip()[:300]
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


def asks_about_orders(text: str) -> bool:
    """ "order details pls", "and the other order?", "where is the order with the mugs", "what
    orders do i have": about orders placed, however the NLU read it."""
    return any(pattern.search(text) for pattern in (ASKS_CONTENTS, ABOUT_ANOTHER_ORDER, WHERE_IS, WHICH_ORDERS))


def of_category(name: str, category: str) -> bool:
    """A product's name is of a category named by its word in it: "Ceramic Mug Red" is of "Mugs"."""
    word = str(category).lower().rstrip("s")
    return re.search(rf"\b{re.escape(word)}s?\b", name.lower()) is not None
