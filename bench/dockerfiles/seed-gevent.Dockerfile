# seed-gevent: the serving scenario's image for the seed's CMD (`gunicorn ... -k gevent`): ours' image for bench/app (IMAGE) plus gevent, which the seed's CMD needs and the app's dependencies lack. Nothing else changes, so the seed's CMD and ours' run the same interpreter, venv and app. gevent comes from the bench's loopback package index (PIP_INDEX_URL), as every package of the builds does.
ARG IMAGE
FROM ${IMAGE}
USER root
# bench only: the loopback package index (see bench/README.md)
ARG PIP_INDEX_URL
RUN pip install --no-cache-dir gevent==26.9.0
# ours' default non-root user (uid and gid 10001), as in the image it starts from
USER 10001:10001
