"""Our own Rasa components and the Rasa server's runtime configuration."""
import warnings

from bot.rasa_speedups import apply as _apply_rasa_speedups

_apply_rasa_speedups()
# bot.faq_selector.FaqSelector does the ResponseSelector's job; Rasa's recipe validator only knows
# its own class and would tell every training to add one.
warnings.filterwarnings(
    "ignore", message="You have defined training data with examples for training a response selector")
