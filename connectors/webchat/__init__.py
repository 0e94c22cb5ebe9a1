"""The website chat widget: a plain script served by the gateway, and its HTTP endpoint."""
