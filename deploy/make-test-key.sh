#!/usr/bin/env bash
# Make a TEST agency key for trying compose.yaml out: deploy/secrets/agency-TEST.p12, its password in
# agency-TEST.password, the TEST CA in ca-TEST.pem and an audit key in audit-hmac.key (the paths
# deploy/.env.example names).
# Signatures made with it have NO legal value. Usage: deploy/make-test-key.sh [DIR] [AGENCY NAME]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/secrets}"
agency="${2:-Cơ quan thử nghiệm sohoa (TEST)}"
python="${PYTHON:-$here/../.venv/bin/python}"
mkdir -p "$out"
make_keys='import sys, pathlib
from pipeline.signing_setup import ensure_demo_keys
keys = ensure_demo_keys(pathlib.Path(sys.argv[1]), sys.argv[2])
print(keys.pkcs12, keys.password_file, keys.ca, sep="\n")'
if [ -x "$python" ] && "$python" -c 'import pipeline.signing_setup' 2>/dev/null; then
  "$python" -c "$make_keys" "$out" "$agency"
else  # no local install: use the image (docker compose build first, or APP_IMAGE)
  docker run --rm --user "$(id -u):$(id -g)" -v "$(cd "$out" && pwd):/out" "${APP_IMAGE:-sohoa:latest}" \
    python -c "$make_keys" /out "$agency"
fi
# The audit log's HMAC key (AUDIT_HMAC_KEY_FILE): made once, kept across runs.
[ -s "$out/audit-hmac.key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$out/audit-hmac.key"
chmod 0644 "$out/audit-hmac.key"
# Secrets are mounted with the host's owner and mode; the containers run as uid 10001. A TEST key may be
# world-readable; the agency's real key must not be (see README "Scaling out").
chmod 0644 "$out/agency-TEST.p12" "$out/agency-TEST.password" "$out/ca-TEST.pem"
echo "TEST key in $out: signatures made with it are not legally valid." >&2
