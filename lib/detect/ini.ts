/**
 * INI files as Python's configparser reads them (setup.cfg, a PasteDeploy
 * ini, an app's settings.ini): sections, `key = value` or `key: value`,
 * indented continuation lines; comments and blank lines left out. Keys are
 * kept as written (configparser lower-cases them when it looks them up).
 * With `repeatedKeys`, a key given on several lines keeps every value, one
 * per line, as uWSGI reads its ini.
 */
export function readIni(text: string, options: { repeatedKeys?: boolean } = {}): Map<string, Map<string, string>> {
    const sections = new Map<string, Map<string, string>>();
    let section: Map<string, string> | undefined;
    let key: string | undefined;
    for (const raw of text.split(/\r?\n/)) {
        if (raw.trim() === "" || /^[#;]/.test(raw.trim())) {
            continue;
        }
        if (/^\s/.test(raw) && section && key !== undefined) {
            section.set(key, `${section.get(key)}\n${raw.trim()}`);
            continue;
        }
        const line = raw.trim();
        if (line.startsWith("[") && line.endsWith("]")) {
            section = new Map();
            sections.set(line.slice(1, -1).trim(), section);
            key = undefined;
            continue;
        }
        const eq = line.search(/[=:]/);
        if (eq > 0 && section) {
            key = line.slice(0, eq).trim();
            const value = line.slice(eq + 1).trim();
            // uWSGI's ini takes a key once per line it is on (`attach-daemon` twice starts two); configparser keeps one.
            section.set(key, options.repeatedKeys === true && section.has(key) ? `${section.get(key)}\n${value}` : value);
        }
    }
    return sections;
}
