#!/usr/bin/env bash
# Starts the rasa-sdk action server on ACTIONS_HOST [127.0.0.1]:ACTIONS_PORT [5055].
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONWARNINGS=ignore TF_CPP_MIN_LOG_LEVEL=2
export SANIC_HOST="${ACTIONS_HOST:-127.0.0.1}"
exec var/env/rasa/bin/python -m rasa_sdk --actions actions --port "${ACTIONS_PORT:-5055}"
