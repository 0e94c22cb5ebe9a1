"""Human handoff: tickets posted to the staff Slack channel, relayed both ways until staff resolve."""
