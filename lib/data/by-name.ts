/**
 * A table looked up by names read from the app (Python identifiers and call names, shell words, setting keys):
 * without Object's prototype, so a name such as `constructor` or `toString` finds nothing instead of one of
 * Object's own members. Frozen.
 */
export function byName<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
    return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
