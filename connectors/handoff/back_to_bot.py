"""Whether a customer whose conversation is with staff asks to go back to the bot.

Two tight lists of whole messages, after normalising (case, apostrophes, punctuation):

- COMMAND: unmistakable whoever the customer is talking to ("back to the bot", "/bot");
- CHANGE_OF_MIND: "never mind", "I don't need a person anymore", "cancel my request for an
  agent". Said to a staff member it may be part of the talk with them, so the backend ends the
  handoff on it only while no staff member has answered.

A message is split at punctuation into clauses; every clause must be one of the phrases or a
filler ("ok", "thanks", "please"), so "never mind, I don't need a person anymore" matches and
"never mind the address, where is my order?" does not: that one is for staff."""
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
           "a team member", "a member of staff", "customer service", "support")


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

_CHANGES_OF_MIND = {
    "never mind", "nevermind", "nvm", "forget it", "forget about it", "i dont need help",
    "i dont need any help", "cancel my request", "cancel the request", "cancel that request",
    "cancel my request for help", "cancel the handoff",
} | _phrases((
    "i dont need {x}", "i no longer need {x}", "no need for {x}", "i dont want {x}",
    "i dont need to talk to {x}", "i dont need to speak to {x}", "i dont need to speak with {x}",
    "i dont have to talk to {x}", "cancel my request for {x}", "cancel the request for {x}",
), _PERSON)
_PHRASES = {**dict.fromkeys(_CHANGES_OF_MIND, CHANGE_OF_MIND),
            **dict.fromkeys(_COMMANDS, COMMAND)}

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
    if COMMAND in kinds:
        return COMMAND
    return CHANGE_OF_MIND if CHANGE_OF_MIND in kinds else None


def clauses(text: str) -> list[list[str]]:
    """The message's clauses as lists of lower-case words, apostrophes dropped ("don't" is
    "dont"); "/bot" stays a word."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['’‘`´]", "", text)
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    parts = re.split(r"[,.!?;:…()]+|\s[-–—]+\s", text)
    words = [re.findall(r"/?[a-z0-9]+", part) for part in parts]
    return [part for part in words if part]


def _clause_kind(words: list[str]) -> str | None:
    """COMMAND or CHANGE_OF_MIND for a phrase with only fillers around it, "filler" for a clause
    of fillers only, None for anything else."""
    if all(word in _FILLERS for word in words):
        return "filler"
    kinds = {_PHRASES.get(" ".join(words[start:end]))
             for start in range(_leading_fillers(words) + 1)
             for end in range(len(words) - _leading_fillers(words[::-1]), len(words) + 1)}
    return COMMAND if COMMAND in kinds else CHANGE_OF_MIND if CHANGE_OF_MIND in kinds else None


def _leading_fillers(words: list[str]) -> int:
    count = 0
    while count < len(words) and words[count] in _FILLERS:
        count += 1
    return count

