"""Writes data/nlu/wording_frames.yml: what each support intent is about, said in the frames that
customers wrap every request in ("I'd like to ...", "can you help me ...", "how do I ...").

Why: with bag-of-words features, a frame seen mostly under one intent drags every unseen request
in that frame to it (before this file, "I'd like to <anything>" leaned to place_order and
"I have to request a <new word>" to out_of_scope). Pairing every intent's core phrases with the
same frames, and naming each concept with the synonyms customers use (reimbursement, rebate,
shipment, representative ...), makes the content words decide. Deterministic: run it again after
editing the lists below and commit the result.

    var/env/rasa/bin/python scripts/nlu_frames.py
"""
from __future__ import annotations

import random
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "nlu" / "wording_frames.yml"
FRAMES_PER_PHRASE = 4

FRAMES = [
    "i want to {}", "i'd like to {}", "i need to {}", "i have to {}", "i wanna {}", "i gotta {}",
    "i would like to {}", "can you help me {}", "could you help me {}", "help me {}",
    "how do i {}", "how can i {}", "where can i {}", "i'm trying to {}", "can i {}",
    "is it possible to {}", "what do i have to do to {}", "i need help to {}",
    "i need assistance to {}", "tell me how to {}", "i don't know how to {}", "{}",
    "can ya help me {}", "how to {}", "i need some help to {}", "please help me {}",
    "what's the way to {}", "i'm looking for a way to {}", "would it be possible to {}",
]

# Core phrases per intent: what the customer wants, as a verb phrase that fits every frame.
PHRASES = {
    "place_order": [
        "buy an item", "purchase some products", "place an order", "make an order",
        "order a few articles", "buy some of your products", "make a purchase",
        "purchase several items", "get some items from your store", "order something",
        "buy a couple of things", "purchase an article",
    ],
    "track_order": [
        "track my order", "check the status of my order", "see where my package is",
        "find out where my purchase is", "track order {{Order Number}}", "check my order status",
        "locate my package", "get an update on my shipment", "follow my parcel",
        "see the tracking of my delivery",
    ],
    "cancel_order": [
        "cancel my order", "cancel a purchase", "cancel order {{Order Number}}",
        "call off my order", "cancel the purchase i made", "cancel an order i placed yesterday",
    ],
    "change_order": [
        "change my order", "modify my purchase", "edit order {{Order Number}}",
        "add an item to my order", "remove a product from my order", "change the items in my order",
        "update the quantity in my order", "swap an article in my purchase",
        "make a change to my order", "make changes to my purchase",
    ],
    "change_shipping_address": [
        "change my shipping address", "update my delivery address", "modify the address of my order",
        "set a different shipping address", "correct my delivery address", "edit the shipping address",
        "set up a new delivery address", "change the address my parcel goes to",
    ],
    "delivery_options": [
        "see the delivery options", "check the shipping methods", "see what shipment options you have",
        "check your delivery methods", "find out which shipping methods you offer",
        "learn about the delivery options", "choose a shipping method", "see the ways you ship",
        "check the available shipment methods", "know what shipping options there are",
    ],
    "delivery_time": [
        "know how long delivery takes", "check the delivery period", "find out how long shipping takes",
        "check the estimated delivery time", "find out how many days shipping takes",
        "know the delivery time", "see how soon an item arrives after ordering",
        "check how long the shipment takes",
    ],
    "refund_return_request": [
        "get a refund", "request a reimbursement", "get my money back", "ask for a refund",
        "return an item", "return a product i bought", "obtain a reimbursement", "claim a refund",
        "get a compensation for my order", "request a rebate", "send an item back",
        "exchange a product", "get reimbursed", "ask for a restitution", "get a repayment",
        "request a return",
        "make a return",
    ],
    "refund_status": [
        "check the status of my refund", "track my reimbursement", "see if my refund was processed",
        "find out where my refund is", "check my reimbursement status", "get an update on my refund",
        "verify if the refund went through", "check if my rebate was issued",
        "see if my compensation was paid", "check the status of my restitution",
        "check when i will get my repayment", "know if my money was sent back",
    ],
    "payment_issue": [
        "report a payment issue", "solve a payment problem", "fix an issue with my payment",
        "report a problem making a payment", "sort out a failed payment",
        "report that i was charged twice", "resolve an error with my payment",
        "report that i can't make a payment",
    ],
    "faq/payment_options": [
        "check the payment methods", "see the payment options", "know which payment methods you accept",
        "find out how i can pay", "see the accepted payment modes", "check if you accept paypal",
        "know if i can pay in instalments",
    ],
    "faq/refund_policy": [
        "check the refund policy", "see your return policy", "know your money back guarantee",
        "read the reimbursement policy", "know in which cases i can ask for a refund",
        "find out the conditions for a refund",
    ],
    "complaint": [
        "file a complaint", "make a complaint", "lodge a complaint", "submit a complaint about your service",
        "file a claim against your company", "report a bad experience", "complain about your service",
        "raise a complaint", "lodge a grievance", "make a claim about a bad experience",
        "make a consumer claim", "file a customer complaint", "open a claim", "submit a claim",
        "make a claim", "lodge a consumer complaint",
    ],
    "give_feedback": [
        "leave a review", "give some feedback", "submit feedback about your service", "rate your service",
        "write a review of a product", "leave a comment about your service",
        "share my opinion about your company", "send some feedback", "give a rating to your service",
        "make a comment about your service", "submit a review",
    ],
    "contact_human_agent": [
        "talk to a human", "speak with an agent", "contact customer service",
        "get in touch with customer support", "talk to a real person", "speak to a representative",
        "call customer service", "contact an operator", "reach your customer assistance team",
        "chat with a live agent", "speak to someone from customer support",
    ],
}


def texts_elsewhere() -> set[str]:
    """Texts already in the other NLU files: Rasa rejects a text listed twice."""
    seen = set()
    for path in OUT.parent.glob("*.yml"):
        if path != OUT:
            seen.update(m.lower() for m in re.findall(r"^\s+- (.+)$", path.read_text(), flags=re.M))
    return seen


def examples(intent: str, rng: random.Random, seen: set[str]) -> list[str]:
    out = []
    for phrase in PHRASES[intent]:
        for frame in rng.sample(FRAMES, FRAMES_PER_PHRASE):
            text = frame.format(phrase)
            if text.lower() not in seen:
                seen.add(text.lower())
                out.append(text)
    return out


def render() -> str:
    rng = random.Random(4)
    seen = texts_elsewhere()
    lines = [
        "# Generated by scripts/nlu_frames.py (edit the lists there, run it again, commit both).",
        "# Each support intent's core phrases in the frames customers wrap requests in.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in PHRASES:
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in examples(intent, rng, seen)]
    return "\n".join(lines) + "\n"


def main() -> None:
    text = render()
    count = len(re.findall(r"^    - ", text, flags=re.M))
    OUT.write_text(text)
    print(f"wrote {count} examples to {OUT}")


if __name__ == "__main__":
    main()
