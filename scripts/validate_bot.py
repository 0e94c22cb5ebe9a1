"""`rasa data validate`, strict: every warning fails, except a response that is uttered only by a
custom action (Rasa's validator cannot see inside actions/, so we check the code for its name).
Runs in the Rasa environment: var/env/rasa/bin/python scripts/validate_bot.py
"""
import re
import sys
import warnings
from pathlib import Path

from rasa.shared.importers.importer import TrainingDataImporter
from rasa.utils.common import EXPECTED_WARNINGS
from rasa.validator import Validator

ROOT = Path(__file__).resolve().parent.parent
UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule")


# Code that utters responses outside stories: the custom actions, and the notification
# dispatcher, which sends the domain's utter_notify_* texts proactively.
UTTERING_CODE = ("actions", "backend/notifications")


def uttered_by_actions() -> tuple:
    """Response names the actions' code utters: full names, and prefixes of f-string names."""
    code = "\n".join(p.read_text(encoding="utf-8")
                     for folder in UTTERING_CODE for p in (ROOT / folder).rglob("*.py"))
    names = set(re.findall(r"[\"'](utter_[\w/]+)[\"']", code))
    prefixes = tuple(re.findall(r"f[\"'](utter_[\w/]*)\{", code))
    return names, prefixes


def uttered_by_rasa(domain) -> set:
    """Responses Rasa utters by name: a form's questions (utter_ask_<form>_<slot> or
    utter_ask_<slot>) and utter_default (action_default_fallback, the core fallback)."""
    names = {"utter_default"}
    for form, spec in domain.forms.items():
        for slot in spec.get("required_slots") or []:
            names.update({f"utter_ask_{form}_{slot}", f"utter_ask_{slot}"})
    return names


# The importer adds each retrieval intent found in data/ to the domain, which must list it too.
RETRIEVAL_INTENT_MERGE = "duplicated intents have been found across multiple domain files: faq"


def is_expected(message: str, used_in_code: tuple) -> bool:
    if RETRIEVAL_INTENT_MERGE in message:
        return True
    if any(re.match(pattern, message) for _, pattern in EXPECTED_WARNINGS):
        return True  # warnings Rasa itself silences as harmless
    match = UNUSED_UTTERANCE.search(message)
    names, prefixes = used_in_code
    return bool(match) and (match.group(1) in names or match.group(1).startswith(prefixes))


def main() -> int:
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        validator.verify_utterances_in_stories(False)  # its warnings are judged below
        valid = all([
            validator.verify_domain_validity(),
            validator.verify_intents_in_stories(False),
            validator.verify_example_repetition_in_intents(False),
            validator.verify_story_structure(False, max_history=5),
            validator.verify_forms_in_stories_rules(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
        ])
    names, prefixes = uttered_by_actions()
    used_in_code = (names | uttered_by_rasa(validator.domain), prefixes)
    problems = [str(w.message) for w in caught
                if issubclass(w.category, UserWarning) and not is_expected(str(w.message), used_in_code)]
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems or not valid:
        print("bot data validation failed", file=sys.stderr)
        return 1
    print("bot data is valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
