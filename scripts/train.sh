#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed: the model is named after the hash of
# config.yml, domain.yml, data/, our Python components in bot/ and the pretrained model wheels
# (requirements/rasa-models.txt; not the runtime endpoints and credentials), so an existing file
# means "up to date".
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
# Our own Rasa components (bot/) are imported from the repo root.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fingerprint=$( { find config.yml domain.yml data requirements/rasa-models.txt -type f \( -name '*.yml' -o -name '*.yaml' -o -name 'rasa-models.txt' \) -print0
                 find bot -type f -name '*.py' -not -path '*/__pycache__/*' -print0; } \
               | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
model="var/models/orderbot-$fingerprint.tar.gz"
if [ -f "$model" ]; then
  echo "==> Rasa model is up to date ($model)"
  touch "$model"   # newest model is the one bot/serve.sh picks
  exit 0
fi
echo "==> training the Rasa model (inputs changed); progress follows"
mkdir -p var/models
# --skip-validation: `make validate` (scripts/validate_bot.py) checks the same data and domain in
# every `make test`; here it would only add seconds to the 5-minute training budget.
var/env/rasa/bin/rasa train --config config.yml --domain domain.yml --data data \
  --out var/models --fixed-model-name "orderbot-$fingerprint" --skip-validation
# Keep the three newest models; older ones only take disk space.
ls -t var/models/orderbot-*.tar.gz | tail -n +4 | xargs -r rm -f
echo "==> trained $model"
