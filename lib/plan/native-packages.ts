/**
 * Python packages that publish no wheels and compile against a C library:
 * when an app depends on one, the builder gets the library's -dev package and
 * the runner the shared library, with no configuration. Data, with a reason
 * for each row; the names are the same on Debian 12/13 and Ubuntu 22.04/24.04.
 */
export interface NativePackageRow {
    /** PEP 503-normalized PyPI name. */
    readonly pypi: string;
    readonly build: readonly string[];
    readonly runtime: readonly string[];
    readonly reason: string;
}

export const NATIVE_PACKAGES: readonly NativePackageRow[] = [
    {
        pypi: "psycopg2",
        build: ["libpq-dev"],
        runtime: ["libpq5"],
        reason: "psycopg2 ships only an sdist; it compiles against libpq and needs pg_config.",
    },
    {
        pypi: "mysqlclient",
        build: ["default-libmysqlclient-dev", "pkg-config"],
        runtime: ["libmariadb3"],
        reason: "mysqlclient ships no Linux wheels; it compiles against the MySQL/MariaDB client library.",
    },
];
