/**
 * Python projects that compile against, or load at run time, a C library that
 * an image has to get from apt: the -dev packages the builder stage needs and
 * the shared libraries the runner stage needs, per Debian/Ubuntu release.
 * Data, with a reason for each row.
 *
 * How the names were checked:
 *  - Debian 12 (bookworm) and 13 (trixie): every name below was looked up in
 *    the real package lists (dists/<suite>/main/binary-amd64/Packages) of the
 *    Debian archive. Where a name is a transitional package there, the real
 *    one is used (libldap-dev, not libldap2-dev), except where only the
 *    transitional name works on all four releases: pkg-config (pkgconf on
 *    Debian 12/13 and Ubuntu 24.04, the real package on Ubuntu 22.04) and
 *    libjpeg-dev (libjpeg62-turbo-dev on Debian, libjpeg-turbo8-dev on
 *    Ubuntu).
 *  - Ubuntu 22.04 (jammy) and 24.04 (noble): Ubuntu names not checked against
 *    the archive from these machines (it is not reachable); they come from
 *    knowledge of those releases plus the Debian changelogs shipped in the
 *    trixie/bookworm packages, read for when each package got its name:
 *      * The 64-bit time_t transition (Debian and Ubuntu, February-March
 *        2024) renamed libraries with time_t in their ABI, adding "t64"
 *        (libmagic1 -> libmagic1t64, libvips42 -> libvips42t64,
 *        libxmlsec1-openssl -> libxmlsec1t64-openssl, libglib2.0-0 ->
 *        libglib2.0-0t64, libzbar0 -> libzbar0t64, libcurl4 -> libcurl4t64).
 *        Trixie has the t64 names; noble was released after the transition
 *        with the same upstream versions, so it gets the same names; jammy
 *        and bookworm predate it and keep the old ones. Libraries that trixie
 *        did not rename (libpq5, libcairo2, libdbus-1-3, libodbc2, ...) keep
 *        their names on noble too.
 *      * OpenLDAP: libldap-2.5-0 is the 2.5 series (bookworm, jammy); Debian's
 *        2.6 packaging renamed it libldap2 (trixie; noble ships 2.6 too).
 *      * unixODBC: libodbc2 replaced libodbc1 in Debian 2.3.9-1; jammy has
 *        2.3.9, so libodbc2 on all four.
 *      * HarfBuzz: Debian added libharfbuzz-subset0 in 6.0.0+dfsg-2 (late
 *        2022); jammy's 2.7.4 predates it, so jammy has no such package.
 *      * MySQL client: on Debian default-libmysqlclient-dev is MariaDB's
 *        (runtime libmariadb3); on Ubuntu it is MySQL 8.0's libmysqlclient-dev
 *        (runtime libmysqlclient21).
 *
 * Not here, by design:
 *  - Projects whose Linux wheels bundle their libraries (auditwheel): checked
 *    by reading the ELF NEEDED entries of the current wheels, e.g.
 *    psycopg2-binary and psycopg-binary (bundle libpq), pymssql (FreeTDS
 *    linked in, with its own OpenSSL and Kerberos), xmlsec >= 1.3.14 (libxmlsec1
 *    and libxml2 linked in), pycurl (bundles libcurl), lxml, pillow. They need
 *    something only when pip builds them from the sdist: see
 *    NATIVE_LIBRARIES_FROM_SDIST.
 *  - pygobject: 3.51 and later build against girepository-2.0 (GLib >= 2.80),
 *    which Debian 12 and Ubuntu 22.04 do not have, so no single list of -dev
 *    packages builds current pygobject on all four releases.
 *  - A C compiler and the Python headers: the builder stage has them anyway.
 */

/** Debian 12, Debian 13, Ubuntu 22.04, Ubuntu 24.04. */
export type DistroRelease = "bookworm" | "trixie" | "jammy" | "noble";

export const DISTRO_RELEASES: readonly DistroRelease[] = ["bookworm", "trixie", "jammy", "noble"];

export interface NativeLibraryRow {
    /** PEP 503-normalized project name (e.g. "psycopg2"), or "name[extra]" for an extra that pulls the compiled part (e.g. "psycopg[c]"). */
    readonly project: string;
    /** -dev packages (and tools such as pkg-config) the builder needs to compile it; [] when it ships wheels and only needs the runtime library. */
    readonly build: readonly string[];
    /** Shared libraries the runner needs, per release where the package name differs. */
    readonly runtime: Readonly<Record<DistroRelease, readonly string[]>>;
    /** Why, in one sentence (what the project ships and what it links or loads). */
    readonly reason: string;
    /** PEP 440 range of the project's releases the row is for. @default every release */
    readonly releases?: string;
}

/** The same packages on all four releases. */
function everywhere(...packages: string[]): Readonly<Record<DistroRelease, readonly string[]>> {
    return { bookworm: packages, trixie: packages, jammy: packages, noble: packages };
}

const LIBPQ = everywhere("libpq5");
const LIBCAIRO = everywhere("libcairo2");
const LIBGSSAPI = everywhere("libgssapi-krb5-2");
/** The X11 client and GL libraries opencv-python's bundled Qt links (same names on all four releases). */
const OPENCV_X11 = ["libgl1", "libice6", "libsm6", "libx11-6", "libxcb1", "libxext6"];

/** Rows that apply whenever the project is a dependency. Sorted by project. */
export const NATIVE_LIBRARIES: readonly NativeLibraryRow[] = [
    {
        project: "cairocffi",
        build: [],
        runtime: LIBCAIRO,
        reason: "cairocffi is pure Python (cffi ABI mode) and dlopens libcairo.so.2 at import time.",
    },
    {
        project: "cairosvg",
        build: [],
        runtime: LIBCAIRO,
        reason: "cairosvg is pure Python and draws through cairocffi, which dlopens libcairo.so.2.",
    },
    {
        project: "dbus-python",
        build: ["libdbus-1-dev", "libglib2.0-dev", "pkg-config"],
        runtime: {
            bookworm: ["libdbus-1-3", "libglib2.0-0"],
            trixie: ["libdbus-1-3", "libglib2.0-0t64"],
            jammy: ["libdbus-1-3", "libglib2.0-0"],
            noble: ["libdbus-1-3", "libglib2.0-0t64"],
        },
        reason: "dbus-python ships only an sdist; it compiles against libdbus-1 and, for its main-loop bindings, GLib.",
    },
    {
        project: "ffmpeg-python",
        build: [],
        runtime: everywhere("ffmpeg"),
        reason: "ffmpeg-python builds ffmpeg command lines and runs the ffmpeg program for them.",
    },
    {
        project: "gdal",
        build: ["libgdal-dev"],
        runtime: {
            bookworm: ["libgdal32"],
            trixie: ["libgdal36"],
            jammy: ["libgdal30"],
            noble: ["libgdal34t64"],
        },
        reason:
            "GDAL's Python bindings (osgeo) ship only an sdist; they compile against libgdal, found with gdal-config, whose version must match the bindings' (Debian 12 has GDAL 3.6, Debian 13 3.10, Ubuntu 22.04 3.4, Ubuntu 24.04 3.8: pin GDAL to the base image's).",
    },
    {
        project: "gitpython",
        build: [],
        runtime: everywhere("git"),
        reason: "GitPython is pure Python and runs the git program for every repository operation; `import git` fails at start without it (\"Bad git executable\").",
    },
    {
        project: "gssapi",
        build: ["libkrb5-dev"],
        runtime: LIBGSSAPI,
        reason: "gssapi ships no Linux wheels; it compiles against MIT Kerberos's GSSAPI library, found with krb5-config.",
    },
    {
        project: "kerberos",
        build: ["libkrb5-dev"],
        runtime: LIBGSSAPI,
        reason: "kerberos ships only an sdist; it compiles against MIT Kerberos's GSSAPI library, found with krb5-config.",
    },
    {
        project: "m2crypto",
        build: ["swig", "libssl-dev"],
        runtime: everywhere(),
        reason: "M2Crypto's releases mostly ship no Linux wheels; its sdist generates its bindings with SWIG and compiles against OpenSSL (libssl itself is in every image, through Python).",
    },
    {
        project: "mariadb",
        build: ["libmariadb-dev"],
        runtime: everywhere("libmariadb3"),
        reason: "MariaDB Connector/Python ships no Linux wheels; it compiles against MariaDB Connector/C, found with mariadb_config.",
    },
    {
        project: "mod-wsgi",
        build: ["apache2-dev"],
        runtime: everywhere(),
        reason: "mod_wsgi builds only against Apache's development files (apxs); the image never loads it (gunicorn serves the app), but pip must build it to install the requirements.",
    },
    {
        project: "mysqlclient",
        build: ["default-libmysqlclient-dev", "pkg-config"],
        runtime: {
            bookworm: ["libmariadb3"],
            trixie: ["libmariadb3"],
            jammy: ["libmysqlclient21"],
            noble: ["libmysqlclient21"],
        },
        reason: "mysqlclient ships no Linux wheels; it compiles against the distro's default MySQL client library (MariaDB's on Debian, MySQL's on Ubuntu).",
    },
    {
        project: "openai-whisper",
        build: [],
        runtime: everywhere("ffmpeg"),
        reason: "openai-whisper decodes every audio file by running the ffmpeg program (whisper.audio.load_audio): transcribe() fails without it.",
    },
    // The wheels bundle Qt (for cv2.imshow's windows) and FFmpeg but link the system's GL, GLib and X11 client libraries,
    // which cv2 loads at import (the ELF NEEDED entries of the 4.10.0.84 wheels that are not in opencv_*.libs). libgl1 pulls Mesa.
    ...["opencv-contrib-python", "opencv-python"].map(
        (project): NativeLibraryRow => ({
            project,
            build: [],
            runtime: {
                bookworm: [...OPENCV_X11, "libglib2.0-0"],
                trixie: [...OPENCV_X11, "libglib2.0-0t64"],
                jammy: [...OPENCV_X11, "libglib2.0-0"],
                noble: [...OPENCV_X11, "libglib2.0-0t64"],
            },
            reason:
                `${project}'s wheels bundle Qt for GUI windows but link the system's libGL, GLib (libgthread), libSM/libICE, libX11/libXext and libxcb, which \`import cv2\` loads; ` +
                `${project.replace("-python", "-python-headless")} needs none of them and keeps Mesa out of the image, for a server that opens no window.`,
        }),
    ),
    {
        project: "pdf2image",
        build: [],
        runtime: everywhere("poppler-utils"),
        reason: "pdf2image is pure Python and runs Poppler's pdftoppm and pdfinfo programs.",
    },
    {
        project: "psycopg",
        build: [],
        runtime: LIBPQ,
        reason: "psycopg's pure-Python implementation finds libpq with ctypes at import time (unneeded, but harmless, when psycopg[binary] or psycopg[c] is used).",
    },
    {
        project: "psycopg-c",
        build: ["libpq-dev"],
        runtime: LIBPQ,
        reason: "psycopg-c ships only an sdist; it compiles against libpq and needs pg_config.",
    },
    {
        project: "psycopg2",
        build: ["libpq-dev"],
        runtime: LIBPQ,
        reason: "psycopg2 ships only an sdist for Linux; it compiles against libpq and needs pg_config.",
    },
    {
        project: "psycopg[c]",
        build: ["libpq-dev"],
        runtime: LIBPQ,
        reason: "The c extra installs psycopg-c, which ships only an sdist and compiles against libpq.",
    },
    {
        project: "pycairo",
        build: ["libcairo2-dev", "pkg-config"],
        runtime: LIBCAIRO,
        reason: "pycairo ships no Linux wheels; it compiles against cairo, found with pkg-config.",
    },
    {
        project: "pydub",
        build: [],
        runtime: everywhere("ffmpeg"),
        reason: "pydub is pure Python and runs the ffmpeg program to read and write any format but WAV (AudioSegment.from_file, export).",
    },
    {
        project: "pygraphviz",
        build: ["libgraphviz-dev", "pkg-config"],
        runtime: everywhere("libcgraph6", "libgvc6"),
        reason: "pygraphviz ships only an sdist; it compiles against Graphviz's cgraph and gvc libraries (libgvc6 carries the layout plugins).",
    },
    {
        project: "pyicu",
        build: ["libicu-dev", "pkg-config"],
        runtime: {
            bookworm: ["libicu72"],
            trixie: ["libicu76"],
            jammy: ["libicu70"],
            noble: ["libicu74"],
        },
        reason: "PyICU ships only an sdist; it compiles against the distro's ICU, found with pkg-config (ICU 72 on Debian 12, 76 on Debian 13, 70 on Ubuntu 22.04, 74 on Ubuntu 24.04).",
    },
    {
        project: "pykerberos",
        build: ["libkrb5-dev"],
        runtime: LIBGSSAPI,
        reason: "pykerberos ships only an sdist; it compiles against MIT Kerberos's GSSAPI library, found with krb5-config.",
    },
    {
        project: "pyodbc",
        build: [],
        runtime: everywhere("libodbc2"),
        reason: "pyodbc's Linux wheels link libodbc.so.2 without bundling it; unixODBC's driver manager must be installed (the ODBC driver itself is the app's to add).",
    },
    {
        project: "pysaml2",
        build: [],
        runtime: everywhere("xmlsec1"),
        reason: "pysaml2 signs and verifies with the xmlsec1 program (its default crypto backend), which it runs as a subprocess.",
    },
    {
        project: "pysqlite3",
        build: ["libsqlite3-dev"],
        runtime: everywhere("libsqlite3-0"),
        reason: "pysqlite3 ships only an sdist; it compiles against the system's SQLite (pysqlite3-binary is the wheel with SQLite built in).",
    },
    {
        project: "pytesseract",
        build: [],
        runtime: everywhere("tesseract-ocr"),
        reason: "pytesseract is pure Python and runs the tesseract program (tesseract-ocr brings the English model).",
    },
    {
        project: "python-ldap",
        build: ["libldap-dev", "libsasl2-dev"],
        runtime: {
            bookworm: ["libldap-2.5-0"],
            trixie: ["libldap2"],
            jammy: ["libldap-2.5-0"],
            noble: ["libldap2"],
        },
        reason: "python-ldap ships only an sdist; it compiles against OpenLDAP's libldap and liblber, with Cyrus SASL headers.",
    },
    {
        project: "python-magic",
        build: [],
        runtime: {
            bookworm: ["libmagic1"],
            trixie: ["libmagic1t64"],
            jammy: ["libmagic1"],
            noble: ["libmagic1t64"],
        },
        reason: "python-magic is pure Python and loads libmagic.so.1 with ctypes at import time.",
    },
    {
        project: "pyvips",
        build: [],
        runtime: {
            bookworm: ["libvips42"],
            trixie: ["libvips42t64"],
            jammy: ["libvips42"],
            noble: ["libvips42t64"],
        },
        reason: "pyvips ships only an sdist that falls back to cffi ABI mode without libvips headers, then dlopens libvips.so.42 at import time.",
    },
    {
        project: "pyzbar",
        build: [],
        runtime: {
            bookworm: ["libzbar0"],
            trixie: ["libzbar0t64"],
            jammy: ["libzbar0"],
            noble: ["libzbar0t64"],
        },
        reason: "pyzbar is pure Python and loads libzbar.so.0 with ctypes at import time.",
    },
    {
        project: "systemd-python",
        build: ["libsystemd-dev", "pkg-config"],
        runtime: everywhere("libsystemd0"),
        reason: "systemd-python ships only an sdist; it compiles against libsystemd, found with pkg-config.",
    },
    {
        project: "wand",
        build: [],
        runtime: {
            bookworm: ["libmagickwand-6.q16-6"],
            trixie: ["libmagickwand-7.q16-10"],
            jammy: ["libmagickwand-6.q16-6"],
            noble: ["libmagickwand-6.q16-7t64"],
        },
        reason: "Wand is pure Python and loads ImageMagick's MagickWand library with ctypes at import time (ImageMagick 6 on Debian 12 and Ubuntu, 7 on Debian 13; Wand 0.6 takes either).",
    },
    {
        project: "weasyprint",
        build: [],
        runtime: {
            bookworm: ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"],
            trixie: ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"],
            jammy: ["libpango-1.0-0", "libpangoft2-1.0-0"],
            noble: ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"],
        },
        reason: "WeasyPrint (53 and later) is pure Python and dlopens Pango, PangoFT2 and HarfBuzz's subsetter through cffi (GObject, HarfBuzz and fontconfig come with Pango); HarfBuzz-subset is optional, and jammy has no package for it.",
        releases: ">=53",
    },
    {
        project: "weasyprint",
        build: [],
        runtime: everywhere("libpango-1.0-0", "libpangocairo-1.0-0", "libcairo2", "libgdk-pixbuf-2.0-0"),
        reason: "WeasyPrint before 53 is pure Python and dlopens Pango and PangoCairo, draws through cairocffi (libcairo) and loads images with GDK-PixBuf.",
        releases: "<53",
    },
];

/**
 * Rows that apply only when pip builds the project from its sdist, i.e. when
 * the pinned release has no Linux wheel for the target Python (see
 * wheel-coverage.ts): their wheels bundle the library, their sdists compile
 * against the system's. Sorted by project.
 */
/**
 * Projects (or a project's extra) that depend on a project of the tables
 * above: without a lock the install step resolves them, so only the app's
 * direct dependencies are known, and the library the dependency needs must
 * be added for the wrapper. Each was read from the project's Requires-Dist.
 */
export const PULLS_IN: ReadonlyArray<{ readonly project: string; readonly requires: string }> = [
    { project: "django-auth-ldap", requires: "python-ldap" },
    { project: "django-heroku", requires: "psycopg2" },
    { project: "django-ldapdb", requires: "python-ldap" },
    { project: "django-mssql-backend", requires: "pyodbc" },
    { project: "django-upload-validator", requires: "python-magic" },
    { project: "django-weasyprint", requires: "weasyprint" },
    { project: "flask-multipass[ldap]", requires: "python-ldap" },
    { project: "flask-mysqldb", requires: "mysqlclient" },
    { project: "flask-simpleldap", requires: "python-ldap" },
    { project: "flask-weasyprint", requires: "weasyprint" },
    { project: "ldappool", requires: "python-ldap" },
    { project: "mssql-django", requires: "pyodbc" },
    { project: "sqlalchemy[mariadb-connector]", requires: "mariadb" },
    { project: "sqlalchemy[mssql-pyodbc]", requires: "pyodbc" },
    { project: "sqlalchemy[mssql]", requires: "pyodbc" },
    { project: "sqlalchemy[mysql]", requires: "mysqlclient" },
    { project: "sqlalchemy[postgresql-psycopg2]", requires: "psycopg2" },
    { project: "sqlalchemy[postgresql-psycopg]", requires: "psycopg" },
    { project: "sqlalchemy[postgresql]", requires: "psycopg2" },
];

export const NATIVE_LIBRARIES_FROM_SDIST: readonly NativeLibraryRow[] = [
    {
        project: "cffi",
        build: ["libffi-dev", "pkg-config"],
        runtime: everywhere("libffi8"),
        reason: "cffi's wheels bundle libffi; its sdist compiles against the system's libffi.",
    },
    {
        project: "lxml",
        build: ["libxml2-dev", "libxslt1-dev"],
        runtime: everywhere("libxml2", "libxslt1.1"),
        reason: "lxml's wheels link libxml2 and libxslt in; its sdist compiles against the system's, found with xml2-config and xslt-config.",
    },
    {
        project: "pillow",
        build: ["libjpeg-dev", "zlib1g-dev"],
        runtime: {
            bookworm: ["libjpeg62-turbo"],
            trixie: ["libjpeg62-turbo"],
            jammy: ["libjpeg-turbo8"],
            noble: ["libjpeg-turbo8"],
        },
        reason: "Pillow's wheels bundle their image libraries; its sdist refuses to build without libjpeg and zlib headers (zlib1g itself is in every base image).",
    },
    {
        project: "psycopg2-binary",
        build: ["libpq-dev"],
        runtime: LIBPQ,
        reason: "psycopg2-binary's wheels bundle libpq; its sdist is psycopg2's and compiles against the system's libpq with pg_config.",
    },
    {
        project: "pycurl",
        build: ["libcurl4-openssl-dev", "libssl-dev"],
        runtime: {
            bookworm: ["libcurl4"],
            trixie: ["libcurl4t64"],
            jammy: ["libcurl4"],
            noble: ["libcurl4t64"],
        },
        reason: "pycurl's wheels bundle libcurl; its sdist compiles against the system's libcurl (OpenSSL flavour), found with curl-config.",
    },
    {
        project: "pylibmc",
        build: ["libmemcached-dev", "zlib1g-dev"],
        runtime: {
            bookworm: ["libmemcached11"],
            trixie: ["libmemcached11t64"],
            jammy: ["libmemcached11"],
            noble: ["libmemcached11t64"],
        },
        reason: "pylibmc's wheels (up to CPython 3.11) bundle libmemcached; its sdist compiles against the system's libmemcached and zlib.",
    },
    {
        project: "pymssql",
        build: ["freetds-dev"],
        runtime: everywhere("libsybdb5"),
        reason: "pymssql's wheels link FreeTDS in; its sdist compiles against the system's FreeTDS db-lib (libsybdb).",
    },
    {
        project: "pyodbc",
        build: ["unixodbc-dev"],
        runtime: everywhere("libodbc2"),
        reason: "pyodbc's sdist compiles against unixODBC's headers (odbc_config) and links libodbc.so.2.",
    },
    {
        project: "xmlsec",
        build: ["libxmlsec1-dev", "pkg-config"],
        runtime: {
            bookworm: ["libxmlsec1-openssl"],
            trixie: ["libxmlsec1t64-openssl"],
            jammy: ["libxmlsec1-openssl"],
            noble: ["libxmlsec1t64-openssl"],
        },
        reason: "xmlsec's wheels (1.3.14 and later) link libxmlsec1 and libxml2 in; older releases and its sdist compile against the system's xmlsec1 with the OpenSSL backend (libxml2 comes with it).",
    },
];

/**
 * GeoDjango (django.contrib.gis in INSTALLED_APPS) loads GDAL, GEOS and PROJ
 * with ctypes when its models are imported: the runner needs them, and so
 * does the builder when a build step (collectstatic) imports the project.
 * Debian names checked against the archive's package lists (libgdal32 /
 * libgeos-c1v5 on bookworm, libgdal36 / libgeos-c1t64 on trixie, libproj25
 * on both); Ubuntu's from the releases' GDAL and GEOS versions (jammy GDAL
 * 3.4, PROJ 8; noble GDAL 3.8 after the t64 rename).
 */
export const GEODJANGO: NativeLibraryRow = {
    project: "django.contrib.gis",
    build: [],
    runtime: {
        bookworm: ["libgdal32", "libgeos-c1v5", "libproj25"],
        trixie: ["libgdal36", "libgeos-c1t64", "libproj25"],
        jammy: ["libgdal30", "libgeos-c1v5", "libproj22"],
        noble: ["libgdal34t64", "libgeos-c1t64", "libproj25"],
    },
    reason: "GeoDjango loads libgdal, libgeos_c and libproj with ctypes when the project's models are imported, in the builder's steps and in the server.",
};
