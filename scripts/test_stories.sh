#!/usr/bin/env bash
# Runs the bot's test stories (tests/bot/) against the newest trained model; any wrong prediction fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
# Our own Rasa components (bot/) are imported from the repo root.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
model=$(ls -t var/models/*.tar.gz | head -n 1)
out=var/test-artifacts/rasa-stories
mkdir -p "$out"
var/env/rasa/bin/rasa test core --model "$model" --stories tests/bot --out "$out" \
  --fail-on-prediction-errors 2>&1 | grep -v 'oneDNN\|cuda\|TensorRT\|cpu_feature' || {
  echo "error: test stories failed; see $out/failed_test_stories.yml" >&2
  exit 1
}
