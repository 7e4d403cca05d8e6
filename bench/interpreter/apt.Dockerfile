# The apt contender: Debian trixie's own python3 (3.13), installed with apt-get on the same base as the
# official-style build (official.Dockerfile), with the same runtime packages that image installs
# (ca-certificates, netbase, tzdata). python3-venv brings ensurepip, which Debian splits out of python3
# and pyperformance needs to create its virtual environments (the official-style build has it built in:
# --with-ensurepip). Bench only: `npm run bench` (BENCH_ONLY=interpreter) builds this once.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		netbase \
		tzdata \
		python3 \
		python3-venv \
	; \
	apt-get dist-clean; \
	python3 --version

CMD ["python3"]
