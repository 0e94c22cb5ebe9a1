"""Channel gateway: the only place that knows channel protocols (web widget, Telegram, Slack)."""
