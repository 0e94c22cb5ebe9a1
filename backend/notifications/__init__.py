"""Proactive notifications: the dispatcher that delivers the outbox through the gateway, the
periodic scans that enqueue reminders and staff alerts, and the staff/customer API behind them."""
