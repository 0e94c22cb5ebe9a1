"""Slack channel: a slack-bolt AsyncApp, its listeners, Socket Mode and the HTTP events route."""
