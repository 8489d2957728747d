# sohoa worker and CLI image: tesseract with the Vietnamese models, poppler, fonts, and the package.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pipeline pipeline
COPY schemas schemas
COPY storage storage
COPY workers workers
COPY sohoa sohoa
COPY samples samples
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1 SOHOA_DATA_DIR=/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd \
      tesseract-ocr-script-viet poppler-utils libnss3-tools fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
RUN useradd --create-home sohoa && mkdir -p /data && chown sohoa /data
USER sohoa
WORKDIR /home/sohoa
VOLUME /data
ENTRYPOINT ["sohoa"]
CMD ["--help"]
