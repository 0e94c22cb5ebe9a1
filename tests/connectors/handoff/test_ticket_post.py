"""The ticket as staff see it in Slack: Block Kit with the facts, a transcript and Resolve."""
from __future__ import annotations

from connectors.handoff import ticket_post

TICKET = {"id": 7, "reason": "complaint", "customer_name": "Ada <script>", "channel": "telegram",
          "conversation_id": "telegram:42", "order_number": "HB-1001",
          "transcript": [{"sender": "user", "text": "the mug <is> broken & chipped"},
                         {"sender": "bot", "text": "I'm sorry"}]}


def test_ticket_blocks_show_facts_transcript_and_resolve():
    blocks = ticket_post.ticket_blocks(TICKET)
    assert blocks[0]["text"]["text"] == "Ticket #7: complaint"
    fields = " ".join(field["text"] for field in blocks[1]["fields"])
    assert "Ada &lt;script&gt;" in fields and "Telegram" in fields and "HB-1001" in fields
    transcript = next(b for b in blocks if b["type"] == "section" and "text" in b)["text"]["text"]
    assert "*Customer:* the mug &lt;is&gt; broken &amp; chipped\n*Bot:* I'm sorry" in transcript
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "handoff_resolve"
    assert actions["elements"][0]["value"] == "7"


def test_ticket_blocks_out_of_hours_note():
    blocks = ticket_post.ticket_blocks(TICKET, staff_available=False,
                                       staff_available_at="2026-11-30T09:00:00+01:00")
    assert "Outside staff hours" in str(blocks) and "Monday 09:00" in str(blocks)


def test_ticket_transcript_keeps_the_end_when_long():
    long = {**TICKET, "transcript": [{"sender": "user", "text": f"line {n} " + "x" * 100}
                                     for n in range(100)]}
    text = ticket_post.transcript(long)
    assert len(text) < 3000 and text.rstrip().endswith("x") and "line 99" in text
    assert "line 0 " not in text


def test_resolved_blocks_drop_the_button():
    blocks = ticket_post.resolved_blocks(ticket_post.ticket_blocks(TICKET), "<@U1>")
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "Resolved by <@U1>" in str(blocks[-1])


def test_customer_line_names_the_customer_and_channel():
    assert ticket_post.customer_line(TICKET, "a & b") == "*Ada &lt;script&gt;* (Telegram): a &amp; b"
