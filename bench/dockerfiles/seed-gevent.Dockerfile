# seed-gevent: the serving scenario's image for the seed's CMD (`gunicorn ... -k gevent`): ours' image for bench/app (IMAGE) plus gevent, which the seed's CMD needs and the app's dependencies lack. Nothing else changes, so the seed's CMD and ours' run the same interpreter, venv and app. Ours' image ships no pip (it leaves the venv after the install), so a throwaway stage brings one (trixie's python3-venv) and installs gevent into the venv with `pip --python`; the final image is ours' plus that venv. gevent comes from the bench's loopback package index (PIP_INDEX_URL), as every package of the builds does.
ARG IMAGE
FROM ${IMAGE} AS install
USER root
# bench only: the loopback package index (see bench/README.md)
ARG PIP_INDEX_URL
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && python3 -m venv /tmp/pip \
    && /tmp/pip/bin/pip --python /opt/venv/bin/python install --no-cache-dir gevent==26.9.0

FROM ${IMAGE}
COPY --from=install /opt/venv /opt/venv
# ours' default non-root user (uid and gid 10001), as in the image it starts from
USER 10001:10001
