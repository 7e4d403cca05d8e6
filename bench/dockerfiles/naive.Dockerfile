# naive: the common first Dockerfile (one stage, `COPY . .` then `pip install -r requirements.txt`, no cache mounts, runs as root). Adapted for this machine: Debian trixie's apt python3 instead of a python:* image (so a venv at /opt/venv, as PEP 668 requires), plus the bench's common minimum for psycopg2: gcc, python3-dev, libpq-dev (libpq5 comes with it).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-dev gcc libpq-dev
WORKDIR /app
COPY . .
# bench only: the loopback package index (see bench/README.md), the same for every contender
ARG PIP_INDEX_URL
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
ENV PATH=/opt/venv/bin:$PATH
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
