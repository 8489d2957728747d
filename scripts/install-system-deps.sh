#!/usr/bin/env bash
# Install the Debian packages sohoa needs (tesseract with Vietnamese, poppler, fonts, chromium for the browser
# tests), only those missing.
set -euo pipefail
packages=(
  python3 python3-venv python3-pip
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd tesseract-ocr-script-viet
  poppler-utils qpdf libnss3-tools softhsm2 libxml2-utils fonts-noto-core fonts-liberation2 fonts-dejavu-core
  chromium  # the headless browser of the end-to-end web tests (driven by Playwright)
  "$@"
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
