# docker-init: the shape of `docker init`'s Python template (one stage, PYTHONDONTWRITEBYTECODE/PYTHONUNBUFFERED, a non-root user with uid 10001, pip cache mount and requirements.txt bind-mounted into the install step, then `COPY . .`). Adapted: python:${PYTHON_VERSION}-slim -> Debian trixie's apt python3 in a venv at /opt/venv (PEP 668), `adduser` -> the equivalent `useradd` (adduser is not in the minimal base), `# syntax=docker/dockerfile:1` removed, plus the bench's common minimum for psycopg2: gcc, python3-dev, libpq-dev (libpq5 comes with it).
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS base

# Prevents Python from writing pyc files.
ENV PYTHONDONTWRITEBYTECODE=1

# Keeps Python from buffering stdout and stderr to avoid situations where
# the application crashes without emitting any logs due to buffering.
ENV PYTHONUNBUFFERED=1

RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-dev gcc libpq-dev \
    && python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Create a non-privileged user that the app will run under.
ARG UID=10001
RUN useradd \
    --no-create-home \
    --home-dir "/nonexistent" \
    --shell "/sbin/nologin" \
    --uid "${UID}" \
    appuser

# bench only: the loopback package index (see bench/README.md), the same for every contender
ARG PIP_INDEX_URL
# Download dependencies as a separate step to take advantage of Docker's caching.
# Leverage a cache mount to /root/.cache/pip to speed up subsequent builds.
# Leverage a bind mount to requirements.txt to avoid having to copy them into
# into this layer.
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=requirements.txt,target=requirements.txt \
    python -m pip install -r requirements.txt

# Switch to the non-privileged user to run the application.
USER appuser

# Copy the source code into the container.
COPY . .

# Expose the port that the application listens on.
EXPOSE 8000

# Run the application.
CMD gunicorn 'app:app' --bind=0.0.0.0:8000
