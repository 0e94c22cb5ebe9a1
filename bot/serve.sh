#!/usr/bin/env bash
# The one place that starts the Rasa server: REST channel + HTTP API, on loopback by default.
# Environment (defaults in brackets): RASA_HOST [127.0.0.1], RASA_PORT [5005], ACTIONS_PORT [5055],
# ACTION_ENDPOINT_URL [http://127.0.0.1:$ACTIONS_PORT/webhook], RASA_TRACKER_DB [var/rasa/tracker.db],
# RASA_MODEL [newest model in var/models], RASA_AUTH_TOKEN [none: API reachable only on loopback].
set -euo pipefail
cd "$(dirname "$0")/.."
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT:-5055}/webhook}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-var/rasa/tracker.db}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
# Our own Rasa components (bot/) are imported from the repo root.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$(dirname "$RASA_TRACKER_DB")"
model="${RASA_MODEL:-$(ls -t var/models/*.tar.gz 2>/dev/null | head -n 1)}"
if [ -z "$model" ]; then
  echo "error: no trained model in var/models; run 'make train'" >&2
  exit 1
fi
host="${RASA_HOST:-127.0.0.1}"
auth=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  auth=(--auth-token "$RASA_AUTH_TOKEN")
elif [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "error: RASA_HOST=$host exposes Rasa's HTTP API; set RASA_AUTH_TOKEN too" >&2
  exit 1
fi
exec var/env/rasa/bin/rasa run --enable-api "${auth[@]}" \
  --interface "$host" --port "${RASA_PORT:-5005}" --model "$model" \
  --endpoints bot/endpoints.yml --credentials bot/credentials.yml
