#!/bin/sh
# Regenerates the hashed lock files that the Dockerfile installs from:
#   requirements/action.lock  the runtime dependencies ([project] dependencies in pyproject.toml)
#   requirements/build.lock   the build backend (requirements/build.in)
# Run it after changing the dependencies in pyproject.toml, and from time to time to pick up
# fixes (it resolves the newest versions allowed), then review and commit both files:
#   pip install -e '.[lint]' && sh requirements/compile.sh
# .ci/check_lock.py fails CI when action.lock no longer satisfies pyproject.toml.
# The image is Python 3.12 on Linux; each pin lists the hashes of all of its published files,
# so the lock works on amd64 and arm64 runners alike.
set -eu
cd "$(dirname "$0")/.."
for pair in "pyproject.toml action" "requirements/build.in build"; do
    set -- $pair
    uv pip compile --quiet --generate-hashes --python-version 3.12 --python-platform linux \
        --custom-compile-command "sh requirements/compile.sh" \
        --output-file "requirements/$2.lock" "$1"
done
