"""Why something goes back, as customers say it: the shop's fault (it arrived damaged or faulty,
or we sent the wrong item) or not (the wrong shade for their taste, too big, changed their mind).

The shop's fault gets an apology, a free return and the offer of a replacement through the team;
anything else gets the plain summary. "Wrong" alone decides nothing: "the mugs are the wrong shade"
is taste, "you sent me the wrong mugs" is our mistake, "i ordered the wrong size" the customer's.
Pure: text in, a verdict out.
"""
from __future__ import annotations

import re
from typing import Optional

# Arrived damaged or doesn't work.
DAMAGED = re.compile(
    r"(?i)\b(?:broken|broke|shattered|smashed|cracked|cracks?|chipped|chips?|dented|dents?|scratch\w*|damaged|"
    r"faulty|defect\w*|leak\w*|stopped working|not working|(?:does|did|do|is|are)n'?t (?:work|heat|close|seal)|"
    r"won'?t (?:work|heat|close|seal|turn on|switch on)|dead on arrival|missing|torn|tore|ripped|split|stale|"
    r"spoil\w*|mou?ldy?|rust(?:y|ed|ing)?|bent|warped|snapped|melted|burnt|peeling|flaking|"
    r"f[ae]ll(?:s|ing)? apart|came apart|expired|not what i ordered|smell(?:s|ed|ing)? (?:bad|off|weird|funny|strange)|"
    r"tast(?:es?|ed|ing) (?:like|off|weird|bad|funny))\b")
# We sent something other than what was ordered: "you sent me green mugs instead of blue ones",
# "wrong item received", "i got the wrong colour mugs", "ordered blue but these are green".
WRONG_ITEM = re.compile(
    r"(?i)\b(?:sent|send|shipped|delivered|gave|given|got|received?|receiving)\b(?:\s+(?:me|us|my|the|a|an|some))*"
    r"\s+(?:wrong|incorrect|different)\b(?!\s+(?:address|email|e-mail|day|date|time|number|message|notification))|"
    r"\b(?:wrong|incorrect)\s+(?:items?|products?|things?|order|parcel|package|articles?|ones?)\b|"
    r"\b(?:sent|send|shipped|delivered|got|received?|came|arrived|gave)\b[^.!?]{0,40}\binstead of\b|"
    # "i got mugs instead", "they sent me the red ones instead" (not "i got red, i want blue instead")
    r"\b(?:got|received?|sent(?: me| us)?|came with|delivered)\s+[\w\s-]{1,30}?\binstead\b(?=\s*(?:$|[.!?,;]))|"
    r"\b(?:ordered|asked for|paid for|chose|picked)\b[^.!?]{1,40}?\bbut\b[^.!?]{0,20}?"
    r"\b(?:got|received?|came|arrived|sent|these are|they are|they'?re|it is|it'?s|its|this is|that is)\b|"
    r"\bnot what i (?:ordered|asked for|paid for)\b|\bsomeone else'?s (?:order|parcel|package|items?)\b")
# "i ordered the wrong size", "my mistake": the customer's own doing, no apology.
SELF_CAUSED = re.compile(r"(?i)\b(?:i|we) (?:ordered|bought|picked|chose|selected|clicked) (?:the |a )?wrong\b|"
                         r"\bmy (?:mistake|fault|bad)\b|\bby mistake\b")


# "not broken", "nothing is damaged", "it isn't faulty": the word denied.
DENIED = re.compile(r"(?i)\b(?:not|no|never|nothing|isn'?t|aren'?t|wasn'?t|weren'?t|nothing's)\s+(?:\w+\s+)?$")


def shops_fault(text: Optional[str]) -> Optional[str]:
    """ "wrong_item" or "damaged" when `text` says the shop is to blame, else None."""
    text = text or ""
    if SELF_CAUSED.search(text):
        return None
    if WRONG_ITEM.search(text):
        return "wrong_item"
    damaged = any(not DENIED.search(text[:match.start()]) for match in DAMAGED.finditer(text))
    return "damaged" if damaged else None


def reports_a_wrong_item(text: Optional[str]) -> bool:
    """ "you sent me green mugs instead of blue ones": a return of what came, however the NLU read it."""
    return shops_fault(text) == "wrong_item"


# "it never arrived", "i didn't get it", "the parcel hasn't come", "nothing came": nothing reached
# the customer, so nothing can go back (not "haven't used it since i got it", nor a part missing).
NEVER_ARRIVED = re.compile(
    r"(?i)\b(?:never|not|didn'?t|did not|haven'?t|have not|hasn'?t|has not|wasn'?t|was not|nahi|nhi)\s+"
    r"(?:yet\s+|even\s+|actually\s+|ever\s+|been\s+)*"
    r"(?:arriv\w*|receiv\w*|deliver\w*|got(?:ten)?(?: it| them| the \w+| my \w+| anything)?|get (?:it|them|anything)|"
    r"came|come|turn(?:ed)? up|show(?:ed|n)? up|reach\w*)\b(?!\s+(?:broken|damaged|cracked|late|on time|in time|"
    r"properly|right|correctly|intact|working))|"
    r"\bnothing (?:came|arrived|was delivered)\b|\bno (?:parcel|package)\b|"
    r"\b(?:parcel|package|order|it) (?:was |got |has been )?(?:stolen|lost)\b")


# "never got the blue ones, you sent green": something else came, the wrong item.
SOMETHING_CAME = re.compile(r"(?i)\binstead\b|\b(?:you|u|they|it) (?:sent|shipped|gave)\b|\b(?:i )?got (?:a |an |some )?\w+ ones?\b")


def never_arrived(text: Optional[str]) -> bool:
    """ "return it, it never arrived": the customer doesn't have it (a carrier claim, not a return);
    the wrong item or damage that did arrive is the shop's fault instead."""
    text = text or ""
    return bool(NEVER_ARRIVED.search(text)) and shops_fault(text) is None and not SOMETHING_CAME.search(text)
