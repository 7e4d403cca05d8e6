# seed: the final Dockerfile of "Creating the Perfect Python Dockerfile" (Luis Sena, 2021; the article this project grew from): builder/runner stages, venv in the user's home, pip cache mount, inline cache (BUILDKIT_INLINE_CACHE), non-root user, gunicorn with --worker-tmp-dir /dev/shm. Adapted: base ubuntu:20.04 -> Debian trixie (python3.9* packages -> python3*), `# syntax=docker/dockerfile:1.2` removed (builders here cannot pull a frontend), `-k gevent` dropped (gevent is not among the app's dependencies), plus the bench's common minimum for psycopg2: libpq-dev in the builder (it already has build-essential and python3-dev), libpq5 in the runner.
ARG BASE_IMAGE
# using ubuntu LTS version (here: the same Debian base as every contender)
FROM ${BASE_IMAGE} AS builder-image

# avoid stuck build due to user prompt
ARG DEBIAN_FRONTEND=noninteractive

RUN apt-get update && apt-get install --no-install-recommends -y python3 python3-dev python3-venv python3-pip python3-wheel build-essential libpq-dev && \
	apt-get clean && rm -rf /var/lib/apt/lists/*

# create and activate virtual environment
# using final folder name to avoid path issues with packages
RUN python3 -m venv /home/myuser/venv
ENV PATH="/home/myuser/venv/bin:$PATH"

# bench only: the loopback package index (see bench/README.md), the same for every contender
ARG PIP_INDEX_URL
# install requirements
COPY requirements.txt .
RUN pip3 install --no-cache-dir wheel
RUN --mount=type=cache,mode=0755,target=/root/.cache pip3 install -r requirements.txt

FROM ${BASE_IMAGE} AS runner-image
# the article builds with --build-arg BUILDKIT_INLINE_CACHE=1 and --cache-from the pushed image
ARG BUILDKIT_INLINE_CACHE=1
RUN apt-get update && apt-get install --no-install-recommends -y python3 python3-venv libpq5 && \
	apt-get clean && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home myuser
COPY --from=builder-image /home/myuser/venv /home/myuser/venv

USER myuser
RUN mkdir /home/myuser/code
WORKDIR /home/myuser/code
COPY . .

EXPOSE 5000

# make sure all messages always reach console
ENV PYTHONUNBUFFERED=1

# activate virtual environment
ENV VIRTUAL_ENV=/home/myuser/venv
ENV PATH="/home/myuser/venv/bin:$PATH"

# /dev/shm is mapped to shared memory and should be used for gunicorn heartbeat
# this will improve performance and avoid random freezes
CMD ["gunicorn","-b", "0.0.0.0:5000", "-w", "4", "--worker-tmp-dir", "/dev/shm", "app:app"]
