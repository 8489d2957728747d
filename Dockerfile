# syntax=docker/dockerfile:1
# One sohoa image for every role: `sohoa worker` (the default), `sohoa serve`, `sohoa watch DIR`,
# `sohoa recover`, `sohoa dlq list|retry` and `sohoa digitize`. Tesseract with the Vietnamese models,
# poppler, qpdf, NSS tools and fonts, then the package. See compose.yaml and README "Scaling out".

# --- build: a wheel of sohoa and of every dependency, so the runtime stage needs no compiler or index.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The whole context (see .dockerignore): pyproject.toml decides which packages go into the wheel.
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels .

# --- runtime
FROM python:3.11-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="sohoa" \
      org.opencontainers.image.description="Digitize scanned Vietnamese administrative results: OCR, PAdES, archive"
# OMP_THREAD_LIMIT=1: tesseract uses one thread; pages, not threads, are the unit of parallel work.
ENV OMP_THREAD_LIMIT=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SOHOA_DATA_DIR=/srv/sohoa/data
# What sohoa runs at run time: tesseract + vie/osd/Vietnamese-script models (OCR, orientation), poppler
# (pdftoppm to render PDF pages, pdfsig to verify), qpdf, certutil from libnss3-tools (pdfsig's trust
# roots), and fonts that cover Vietnamese for the signature stamp. Test-only tools (softhsm2, xmllint) are left out.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd tesseract-ocr-script-viet \
      poppler-utils qpdf libnss3-tools fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels sohoa
# A fixed uid, so files mounted from the host (signing key, hot folder) can be made readable by it.
RUN groupadd --system --gid 10001 sohoa \
 && useradd --system --uid 10001 --gid sohoa --create-home --home-dir /home/sohoa --shell /usr/sbin/nologin sohoa \
 && mkdir -p /srv/sohoa/data \
 && chown -R sohoa:sohoa /srv/sohoa
WORKDIR /srv/sohoa
USER sohoa
# compose.yaml runs `sohoa serve`, `sohoa watch` … from this image; health of the web role is checked there.
CMD ["sohoa", "worker"]
