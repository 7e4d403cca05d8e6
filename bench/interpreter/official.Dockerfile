# CPython 3.13 built the way the official Docker image python:3.13-slim (Debian trixie) builds it:
# docker-library/python, 3.13/slim-trixie/Dockerfile at commit f79aea5b8f6b2d65b31ba2bb3f69c0c2083345c8
# ("Update 3.13 to 3.13.14", 2026-06-10). Same build dependencies, configure flags, dpkg-buildflags
# EXTRA_CFLAGS/LDFLAGS, frame pointers, `make -j "$(nproc)"` twice (the second relinks `python` with an
# $ORIGIN rpath), `make install`, the same clean-up and stripping (-Wl,--strip-all), the same symlinks.
# Adapted for the bench, and nothing else:
# - FROM the local trixie base (no image can be pulled here) instead of debian:trixie-slim;
# - the source: CPython's upstream tarball as Debian's archive ships it in the python3.13 source package
#   (python3.13_<version>.orig.tar.xz, unmodified: no Debian patch is applied), fetched with
#   `apt-get source --download-only` from the mirror the base image already uses, instead of wget from
#   python.org plus gpg (neither python.org nor a keyserver is reachable here). The version is trixie's,
#   3.13.5, not the 3.13.14 of that commit; its SHA-256 is python.org's Python-3.13.5.tar.xz, as
#   docker-library/python pinned it (commit 3fae0a14, "Update 3.13 to 3.13.5"), checked the same way;
# - so wget and gnupg are not installed, and the deb-src entry is removed again after the download.
# Bench only: `npm run bench` (BENCH_ONLY=interpreter) builds this once and keeps it in the local registry.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

# ensure local python is preferred over distribution python
ENV PATH=/usr/local/bin:$PATH

# runtime dependencies
RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		netbase \
		tzdata \
	; \
	apt-get dist-clean

ENV PYTHON_VERSION=3.13.5
ENV PYTHON_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640

RUN set -eux; \
	\
	savedAptMark="$(apt-mark showmanual)"; \
	sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/bench-deb-src.list; \
	[ -s /etc/apt/sources.list.d/bench-deb-src.list ]; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		dpkg-dev \
		gcc \
		libbluetooth-dev \
		libbz2-dev \
		libc6-dev \
		libdb-dev \
		libffi-dev \
		libgdbm-dev \
		liblzma-dev \
		libncursesw5-dev \
		libreadline-dev \
		libsqlite3-dev \
		libssl-dev \
		make \
		tk-dev \
		uuid-dev \
		xz-utils \
		zlib1g-dev \
	; \
	\
	srcDir="$(mktemp -d)"; \
	(cd "$srcDir" && apt-get source --download-only "python${PYTHON_VERSION%.*}"); \
	mv "$srcDir/python${PYTHON_VERSION%.*}_${PYTHON_VERSION}.orig.tar.xz" python.tar.xz; \
	rm -rf "$srcDir" /etc/apt/sources.list.d/bench-deb-src.list; \
	echo "$PYTHON_SHA256 *python.tar.xz" | sha256sum -c -; \
	mkdir -p /usr/src/python; \
	tar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; \
	rm python.tar.xz; \
	\
	cd /usr/src/python; \
	gnuArch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; \
	./configure \
		--build="$gnuArch" \
		--enable-loadable-sqlite-extensions \
		--enable-optimizations \
		--enable-option-checking=fatal \
		--enable-shared \
		$(test "${gnuArch%%-*}" != 'riscv64' && echo '--with-lto') \
		--with-ensurepip \
	; \
	nproc="$(nproc)"; \
	EXTRA_CFLAGS="$(dpkg-buildflags --get CFLAGS)"; \
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"; \
	LDFLAGS="${LDFLAGS:-} -Wl,--strip-all"; \
	arch="$(dpkg --print-architecture)"; arch="${arch##*-}"; \
# https://docs.python.org/3.12/howto/perf_profiling.html
# https://github.com/docker-library/python/pull/1000#issuecomment-2597021615
	case "$arch" in \
		amd64|arm64) \
			# only add "-mno-omit-leaf" on arches that support it
			EXTRA_CFLAGS="${EXTRA_CFLAGS:-} -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"; \
			;; \
		i386) \
			# don't enable frame-pointers on 32bit x86 due to performance drop.
			;; \
		*) \
			# other arches don't support "-mno-omit-leaf"
			EXTRA_CFLAGS="${EXTRA_CFLAGS:-} -fno-omit-frame-pointer"; \
			;; \
	esac; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:-}" \
	; \
# https://github.com/docker-library/python/issues/784
# prevent accidental usage of a system installed libpython of the same version
	rm python; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:-} -Wl,-rpath='\$\$ORIGIN/../lib'" \
		python \
	; \
	make install; \
	\
	cd /; \
	rm -rf /usr/src/python; \
	\
	find /usr/local -depth \
		\( \
			\( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
			-o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \
		\) -exec rm -rf '{}' + \
	; \
	\
	ldconfig; \
	\
	apt-mark auto '.*' > /dev/null; \
	apt-mark manual $savedAptMark; \
	find /usr/local -type f -executable -not \( -name '*tkinter*' \) -exec ldd '{}' ';' \
		| awk '/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); printf "*%s\n", so }' \
		| sort -u \
		| xargs -rt dpkg-query --search \
		| awk 'sub(":$", "", $1) { print $1 }' \
		| sort -u \
		| xargs -r apt-mark manual \
	; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
	apt-get dist-clean; \
	\
	export PYTHONDONTWRITEBYTECODE=1; \
	python3 --version; \
	pip3 --version

# make some useful symlinks that are expected to exist ("/usr/local/bin/python" and friends)
RUN set -eux; \
	for src in idle3 pip3 pydoc3 python3 python3-config; do \
		dst="$(echo "$src" | tr -d 3)"; \
		[ -s "/usr/local/bin/$src" ]; \
		[ ! -e "/usr/local/bin/$dst" ]; \
		ln -svT "$src" "/usr/local/bin/$dst"; \
	done

CMD ["python3"]
