/**
 * Distributions that cannot be installed on Linux: a requirements line that
 * pins one of them with no marker (what a Windows `pip freeze` writes) fails
 * the image's install with "No matching distribution found".
 *
 * Source: each project's release files on the Python Package Index. Only
 * projects with no file a Linux pip can install are listed; pure-Python
 * Windows helpers (pywin32-ctypes, comtypes, WMI) install anywhere and fail
 * only at import, so they are not.
 */
export const WINDOWS_ONLY_DISTRIBUTIONS: ReadonlyMap<string, string> = new Map([
    // win32 / win_amd64 / win_arm64 wheels only, no sdist.
    ["pywin32", "publishes Windows wheels only"],
    // A py3-none-any shim whose one dependency is pywin32.
    ["pypiwin32", "is a shim that requires pywin32, which publishes Windows wheels only"],
    // Windows wheels, and an sdist whose Rust build needs the Windows ConPTY/winpty APIs.
    ["pywinpty", "publishes Windows wheels only (its sdist builds only on Windows)"],
    // Windows wheels only: Linux's Python has curses built in.
    ["windows-curses", "publishes Windows wheels only (Linux's Python has curses built in)"],
]);

/**
 * Backports of a standard-library module to Pythons older than any the image
 * runs, whose releases cannot be installed on those it does: a `pip freeze`
 * made on an old Python pins them with no marker (Django 4.0's own
 * requirement says `; python_version < "3.9"`).
 *
 * Checked here: backports.zoneinfo 0.2.1 (its last release) has Linux wheels
 * for CPython 3.6-3.8 only, and its sdist fails to compile on 3.11
 * (`'_PyLong_One' undeclared`).
 */
export const OLD_PYTHON_BACKPORTS: ReadonlyMap<string, string> = new Map([
    ["backports-zoneinfo", "backports Python 3.9's zoneinfo to 3.6-3.8: it has wheels for CPython 3.8 and older only, and its source does not compile on the Pythons the image runs"],
]);

/**
 * The distribution Debian and Ubuntu's patched pip lists in a venv's
 * `pip freeze` (setuptools' vendored pkg_resources): no index has it.
 */
export const DEBIAN_FREEZE_ARTIFACT = "pkg-resources";

/**
 * Folders of conda's build machines: `pip freeze` in a conda environment
 * writes `name @ file:///...<one of these>...` for packages conda installed
 * (conda-forge's feedstocks, and D:/bld on Windows; Anaconda's croot, also
 * under C:/b/abs_<hash>/ on Windows; conda-build's conda-bld). A path holding
 * one of them anywhere is conda's.
 */
export const CONDA_BUILD_PATHS: readonly string[] = ["/feedstock_root/", "/croot/", "/conda-bld/", "/bld/", "/tmp/build/80754af9/"];
