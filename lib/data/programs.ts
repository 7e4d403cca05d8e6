import { byName } from "./by-name";

/**
 * Programs an app's code runs (`subprocess.run(["ffmpeg", ...])`,
 * `os.system("pandoc ...")`) and the Debian/Ubuntu package that installs
 * each: the runner has only what the base image and the native-library
 * table put there, so a program the code runs that no package brings fails
 * with FileNotFoundError (or a shell's "not found") when it runs.
 *
 * The package names are the same on Debian 12 and 13 (checked against both
 * releases' main Packages index) and on Ubuntu 22.04 and 24.04. Left out:
 * ImageMagick's `convert` (Debian 13's ImageMagick 7 renames its commands)
 * and wkhtmltopdf (not in Debian 13).
 */
export const PROGRAM_PACKAGES: Readonly<Record<string, string>> = byName({
    curl: "curl",
    dot: "graphviz",
    exiftool: "libimage-exiftool-perl",
    ffmpeg: "ffmpeg",
    ffprobe: "ffmpeg",
    git: "git",
    gs: "ghostscript",
    node: "nodejs",
    pandoc: "pandoc",
    pdfinfo: "poppler-utils",
    pdftoppm: "poppler-utils",
    pdftotext: "poppler-utils",
    pdfunite: "poppler-utils",
    pg_dump: "postgresql-client",
    psql: "postgresql-client",
    rsync: "rsync",
    scp: "openssh-client",
    sqlite3: "sqlite3",
    ssh: "openssh-client",
    tesseract: "tesseract-ocr",
    unzip: "unzip",
    wget: "wget",
    zip: "zip",
});
