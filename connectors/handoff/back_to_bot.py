"""Whether a customer whose conversation is with staff asks to go back to the bot.

Two tight lists of whole messages, after normalising (case, apostrophes, punctuation):

- COMMAND: unmistakable whoever the customer is talking to ("back to the bot", "/bot");
- CHANGE_OF_MIND: "never mind", "I don't need a person anymore", "cancel my request for an
  agent". Said to a staff member it may be part of the talk with them, so the backend ends the
  handoff on it only while no staff member has answered.

A message is split at punctuation into clauses; every clause must be one of the phrases or a
filler ("ok", "thanks", "please"), so "never mind, I don't need a person anymore" matches and
"never mind the address, where is my order?" does not: that one is for staff.

A way out that drops the person in so many words ("forget the human", "no need for a human") or
a command ("back to the bot"), in whole clauses at the start of a message, may carry a question
after it: "forget the human, just tell me is the cast iron teapot in stock" leaves the handoff,
and the question is for the bot (`read`). "Never mind. Where is my order?" names no one and
stays with staff."""
from __future__ import annotations

import re
import unicodedata

COMMAND = "command"
CHANGE_OF_MIND = "change_of_mind"
LONGEST = 120  # characters; anything longer is a real message, not a way out

_BOT = ("the bot", "bot", "the chatbot", "chatbot", "the chat bot", "the virtual assistant")
_BOT_OR_ASSISTANT = (*_BOT, "the assistant", "the automated assistant")
_PERSON = ("a person", "a human", "a real person", "a human being", "an agent", "a human agent",
           "a live agent", "an operator", "someone", "anyone", "staff", "the staff", "the team",
           "a team member", "a member of staff", "customer service", "support",
           "the human", "the person", "the agent", "the operator", "human", "person", "agent", "humans",
           "the humans", "people", "a real human", "the real person")


def _phrases(templates: tuple[str, ...], fillings: tuple[str, ...]) -> set[str]:
    return {template.format(x=filling) for template in templates for filling in fillings}


_COMMANDS = {"/bot", "bot please"} | _phrases((
    "back to {x}", "go back to {x}", "take me back to {x}", "send me back to {x}",
    "switch back to {x}", "return to {x}", "i want to go back to {x}", "id like to go back to {x}",
    "let me go back to {x}", "can i go back to {x}",
), _BOT_OR_ASSISTANT) | _phrases((
    "i want {x} back", "give me {x} back", "i want to talk to {x}", "let me talk to {x}",
    "talk to {x}", "switch to {x}", "ill ask {x}", "ill talk to {x}", "ill use {x}",
    "id rather talk to {x}", "id like to talk to {x}", "can i talk to {x}", "i want {x}",
), _BOT)

# Changes of mind that drop the person in so many words: a question may follow them (see `read`).
_DROPPING_THE_PERSON = _phrases((
    "i dont need {x}", "i no longer need {x}", "no need for {x}", "i dont want {x}",
    "i dont need to talk to {x}", "i dont need to speak to {x}", "i dont need to speak with {x}",
    "i dont have to talk to {x}", "cancel my request for {x}", "cancel the request for {x}",
    "forget {x}", "forget about {x}",
), _PERSON)
# "bot is fine actually": whole messages only ("the bot is fine, but it can't find my refund" is for staff).
_THE_BOT_WILL_DO = _phrases((
    "{x} is fine", "{x} is ok", "{x} is okay", "{x} is good", "{x} is good enough", "{x} will do",
    "{x} is enough", "{x} works", "{x} works for me", "{x} is fine with me", "{x} is fine for this",
    "ill stay with {x}", "ill stick with {x}", "ill stick to {x}", "im fine with {x}", "im ok with {x}",
    "stay with {x}",
), _BOT_OR_ASSISTANT)
_CHANGES_OF_MIND = {
    "never mind", "nevermind", "nvm", "forget it", "forget about it", "i dont need help",
    "i dont need any help", "cancel my request", "cancel the request", "cancel that request",
    "cancel my request for help", "cancel the handoff", "cancel that", "scratch that",
} | _DROPPING_THE_PERSON | _THE_BOT_WILL_DO
_PHRASES = {**dict.fromkeys(_CHANGES_OF_MIND, CHANGE_OF_MIND),
            **dict.fromkeys(_COMMANDS, COMMAND)}
# The phrases a question may follow: the unmistakable ones.
_LEAD_INS = _DROPPING_THE_PERSON | _COMMANDS

# Words around a phrase that change nothing ("oh never mind then", "back to the bot please").
_FILLERS = {
    "oh", "ok", "okay", "k", "actually", "um", "uh", "hmm", "well", "please", "pls", "plz",
    "then", "thanks", "thank", "you", "thx", "ty", "sorry", "anyway", "anyways", "so", "no",
    "hi", "hey", "just", "anymore", "any", "more", "now", "after", "all", "its", "fine",
    "alright", "cheers",
}
_CONTRACTIONS = ((r"\bdo not\b", "dont"), (r"\bi will\b", "ill"), (r"\bi would\b", "id"))


def wish(text: str) -> str | None:
    """COMMAND, CHANGE_OF_MIND, or None (an ordinary message for staff)."""
    if not text or len(text) > LONGEST:
        return None
    kinds = [_clause_kind(clause) for clause in clauses(text)]
    if not kinds or any(kind is None for kind in kinds):
        return None
    return _strongest(kinds)


def read(text: str) -> tuple[str | None, str]:
    """(the wish, what is left for the bot): a whole way out is (`wish(text)`, ""); one that names
    the person or the bot with more after it ("forget the human, just tell me is the cast iron
    teapot in stock") is (its kind, "just tell me is the cast iron teapot in stock"); anything
    else (None, "")."""
    whole = wish(text)
    if whole or not text:
        return whole, ""
    leading = []
    for start, part in _parts(text):
        words = _words(part)
        phrase = _clause_phrase(words) if words else "filler"
        if phrase is None:  # the question starts here
            if start > LONGEST or not any(said in _LEAD_INS for said in leading):
                return None, ""
            return _strongest([_PHRASES.get(said, "filler") for said in leading]), text[start:].strip()
        leading.append(phrase)
    return None, ""


def _strongest(kinds: list[str | None]) -> str | None:
    if COMMAND in kinds:
        return COMMAND
    return CHANGE_OF_MIND if CHANGE_OF_MIND in kinds else None


_SEPARATOR = re.compile(r"[,.!?;:…()]+|\s[-–—]+\s")


def _parts(text: str) -> list[tuple[int, str]]:
    """The message's clauses as written, each with where it starts."""
    starts = [0] + [match.end() for match in _SEPARATOR.finditer(text)]
    ends = [match.start() for match in _SEPARATOR.finditer(text)] + [len(text)]
    return [(start, text[start:end]) for start, end in zip(starts, ends)]


def _words(part: str) -> list[str]:
    """A clause as lower-case words, apostrophes dropped ("don't" is "dont"); "/bot" stays a word."""
    part = unicodedata.normalize("NFKC", part).lower()
    part = re.sub(r"['’‘`´]", "", part)
    for pattern, replacement in _CONTRACTIONS:
        part = re.sub(pattern, replacement, part)
    return re.findall(r"/?[a-z0-9]+", part)


def clauses(text: str) -> list[list[str]]:
    """The message's clauses as lists of lower-case words."""
    words = [_words(part) for part in _SEPARATOR.split(unicodedata.normalize("NFKC", text))]
    return [part for part in words if part]


def _clause_kind(words: list[str]) -> str | None:
    """COMMAND or CHANGE_OF_MIND for a phrase with only fillers around it, "filler" for a clause
    of fillers only, None for anything else."""
    phrase = _clause_phrase(words)
    return None if phrase is None else _PHRASES.get(phrase, "filler")


def _clause_phrase(words: list[str]) -> str | None:
    """The phrase the clause is, with only fillers around it ("filler" for fillers only; a
    command before a change of mind), or None."""
    if all(word in _FILLERS for word in words):
        return "filler"
    found = [phrase for start in range(_leading_fillers(words) + 1)
             for end in range(len(words) - _leading_fillers(words[::-1]), len(words) + 1)
             if (phrase := " ".join(words[start:end])) in _PHRASES]
    return next((phrase for phrase in found if _PHRASES[phrase] == COMMAND), found[0] if found else None)


def _leading_fillers(words: list[str]) -> int:
    count = 0
    while count < len(words) and words[count] in _FILLERS:
        count += 1
    return count
