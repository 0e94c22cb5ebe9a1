"""`python -m connectors.slack`: the Slack connector in Socket Mode."""
import sys

from connectors.slack.socket_mode import main

sys.exit(main())
