/**
 * The CPython versions the package builds images for, oldest first, and the
 * one it uses when nothing in the app names a version. Data on the ground
 * floor: detection reads it to say what the folder asks for, planning to
 * decide, the base-image table to have a row for each.
 */
export const SUPPORTED_PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"] as const;

export type PythonVersion = (typeof SUPPORTED_PYTHONS)[number];

/** Used when nothing in the source folder names a version: Debian 13's python3 (see base-images.ts). */
export const DEFAULT_PYTHON: PythonVersion = "3.13";

export function isSupportedPython(v: string): v is PythonVersion {
    return (SUPPORTED_PYTHONS as readonly string[]).includes(v);
}
