"""Our own Rasa components and the Rasa server's runtime configuration."""
from bot.rasa_speedups import apply as _apply_rasa_speedups

_apply_rasa_speedups()
