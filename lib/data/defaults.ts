/**
 * Defaults, in one place. Versions pinned here make the synthesized
 * Dockerfile deterministic: the same inputs give the same bytes, and a bump
 * here is a visible change in every user's preview.
 */
export const DEFAULTS = {
    port: 8000,
    uid: 10001,
    gid: 10001,
    user: "app",
    /** gunicorn's own default; also the container's stop timeout minus a margin. */
    gracefulTimeout: 30,
    /** gunicorn's worker timeout. */
    timeout: 60,
    /**
     * Threads per worker for WSGI apps (gunicorn's gthread worker), with
     * CPUs + 1 workers. The benchmark's serving scenario (2 CPUs, 32 clients,
     * a 20 ms wait per request) measured 12 level with 16 and well ahead of
     * 8; a gthread worker queues the connections it accepted behind its own
     * busy threads, so fewer, wider workers serve I/O waits better. Every
     * thread may hold a database connection: workers x threads is the most
     * a container opens at once (36 at 2 CPUs).
     */
    threads: 12,
    /** Threads of the one worker that serves a Flask-SocketIO app in its threading mode (each connected client holds one): Flask-SocketIO's deployment docs' figure. */
    socketIoThreads: 100,
    healthCheckPath: "/",
    /** Where the app lives in the image. */
    workdir: "/app",
    /** Where files the app keeps among its code (an SQLite database) live, linked from their place, so a volume can hold them. */
    dataDir: "/data",
    /** Where scratch files the app keeps among its code (a log file in the app's folder) live, linked from their place: a tmpfs under PythonApp. */
    scratchDir: "/scratch",
    /** HOME and the XDG folders point under /tmp (a tmpfs when the root filesystem is read-only), so per-user caches work. */
    home: "/tmp",
    venv: "/opt/venv",
    /** Versions added when the app's own dependencies lack them. */
    gunicorn: "gunicorn==27.0.1",
    /** The gunicorn added for an eventlet worker: 26.0.0 removed it; 25.3.0 is the last release with it, and needs eventlet 0.40.3 or later (24.0.0 onwards do). */
    gunicornWithEventlet: "gunicorn==25.3.0",
    /** The gunicorn added for an eventlet worker when the app's eventlet is older than 0.40.3: 23.0.0's worker accepts 0.24.1 and later. */
    gunicornWithOldEventlet: "gunicorn==23.0.0",
    /** The gunicorn added for a gevent worker when the app's gevent is older than 24.10.1, which 24.0.0 onwards refuse at start (their ggevent.py); 23.0.0 accepts 1.4 and later. */
    gunicornWithOldGevent: "gunicorn==23.0.0",
    /**
     * setuptools added for an app that imports pkg_resources or distutils and would not have it: 82.0.0 removed
     * pkg_resources (setuptools' changelog, v82.0.0), so the last release before it; Python 3.12's venvs have no setuptools.
     */
    setuptools: "setuptools==81.0.0",
    /** A WebSocket library for uvicorn's worker (Django Channels apps that have none); the 1.2 release where the app pins h11 before 0.16. */
    wsproto: "wsproto==1.3.2",
    wsprotoBeforeH11016: "wsproto==1.2.0",
    /** uv is not in the base image: it is installed into its own venv in the builder. (poetry.lock, Pipfile.lock and pdm.lock are installed by pip.) */
    uv: "uv==0.13.9",
    /** A TOML writer beside uv, for a pylock.toml that lists the project itself: the dependencies install from a copy without it, before the source. */
    tomliW: "tomli-w==1.2.0",
} as const;

/**
 * The variables the synthesized image's ENV sets itself (the venv on PATH,
 * HOME and the XDG folders under /tmp, the port, Python's run-time flags):
 * a value an app's config gives for them is not carried into the image.
 */
export const IMAGE_SET_VARIABLES: ReadonlySet<string> = new Set(["PATH", "VIRTUAL_ENV", "HOME", "LANG", "PORT", "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONFAULTHANDLER"]);
