"""Our trained components' artefacts in Rasa's model storage: one pickle per component."""
from __future__ import annotations

import pickle
from typing import Any, Optional, Text

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save(model_storage: ModelStorage, resource: Resource, file_name: Text, artefact: Any) -> None:
    with model_storage.write_to(resource) as model_dir:
        with open(model_dir / file_name, "wb") as file:
            pickle.dump(artefact, file)


def load(model_storage: ModelStorage, resource: Resource, file_name: Text) -> Optional[Any]:
    """What `save` stored, or None when this model has none (not trained, or an older archive)."""
    try:
        with model_storage.read_from(resource) as model_dir:
            with open(model_dir / file_name, "rb") as file:
                return pickle.load(file)  # our own artefact, written by save() above
    except (ValueError, FileNotFoundError):
        return None
