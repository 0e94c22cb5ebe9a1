"""`python -m connectors.telegram`: the Telegram connector with long polling."""
import sys

from connectors.telegram.polling import main

sys.exit(main())
