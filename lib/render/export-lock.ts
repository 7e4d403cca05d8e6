/**
 * A Python script the builder runs to turn a lock file (poetry.lock,
 * Pipfile.lock, pdm.lock) into requirements files for pip, with the lock's
 * hashes, so pip installs exactly the locked set with --require-hashes --no-deps:
 * - no Poetry, Pipenv or PDM in the builder (one tool less to download and run);
 * - any index that serves the simple API works (Poetry's installer also
 *   reads PyPI's per-release JSON, which mirrors and proxies often lack);
 * - packages without hashes (local folders, VCS checkouts, URLs) go to a
 *   second file, installed after, since pip cannot hash a checkout.
 * Written into the builder with a heredoc; run as
 * `python export-lock.py poetry main,prod`, `python export-lock.py pipfile` or
 * `python export-lock.py pdm default,prod`.
 *
 * pdm.lock (lock_version 4 with the inherit_metadata strategy, which
 * detection requires) records for each package the groups that need it and
 * the environment marker it installs under, so the export is a filter, as
 * PDM's own `pdm export` does it: the packages of the chosen groups, without
 * the entries that only name a package's extras (their dependencies are
 * entries of their own) and without the project itself. Its package indexes
 * are pyproject.toml's [[tool.pdm.source]] tables.
 */
export const EXPORT_LOCK_SOURCE = [
    "import json, posixpath, re, sys, urllib.parse",
    "try:",
    "    import tomllib",
    "except ImportError:  # Python 3.10",
    "    from pip._vendor import tomli as tomllib",
    "",
    "kind = sys.argv[1]",
    "groups = set(sys.argv[2].split(',')) if len(sys.argv) > 2 else {'main'}",
    "hashed, local, indexes, options = [], [], [], []",
    "",
    "",
    "def add(name, version, marker, hashes, source):",
    "    suffix = '; ' + marker if marker else ''",
    "    kind_ = (source or {}).get('type')",
    "    if kind_ == 'git':",
    "        ref = source.get('resolved_reference') or source.get('reference') or ''",
    "        sub = '#subdirectory=' + source['subdirectory'] if source.get('subdirectory') else ''",
    "        local.append(name + ' @ git+' + source['url'] + ('@' + ref if ref else '') + sub + suffix)",
    "    elif kind_ == 'directory':",
    "        local.append(('-e ' if source.get('develop') else '') + './' + source['url'].lstrip('./'))",
    "    elif kind_ in ('file', 'url'):",
    "        local.append(name + ' @ ' + source['url'] + suffix)",
    "    elif hashes:",
    "        hashed.append(name + '==' + version + suffix + ''.join(' --hash=' + h for h in hashes))",
    "    else:",
    "        local.append(name + '==' + version + suffix)",
    "",
    "",
    "if kind == 'poetry':",
    "    lock = tomllib.load(open('poetry.lock', 'rb'))",
    "    old_files = lock.get('metadata', {}).get('files', {})",
    "    for p in lock.get('package', []):",
    "        in_groups = set(p.get('groups') or [p.get('category', 'main')])",
    "        if not in_groups & groups or p.get('optional'):",
    "            continue",
    "        marker = p.get('markers')",
    "        if isinstance(marker, dict):  # lock 2.1: a marker per group",
    "            chosen = [marker[g] for g in sorted(in_groups & groups) if g in marker]",
    "            marker = ' or '.join('(' + m + ')' for m in chosen) if len(chosen) == len(in_groups & groups) else None",
    "        files = p.get('files') or old_files.get(p['name'], [])",
    "        source = p.get('source') or {}",
    "        if source.get('type') == 'legacy' and source.get('url') not in indexes:",
    "            indexes.append(source['url'])",
    "        if source.get('type') == 'directory':",
    "            source = dict(source, develop=p.get('develop', False))",
    "        add(p['name'], p['version'], marker, [f['hash'] for f in files if f.get('hash')], source if source.get('type') != 'legacy' else None)",
    "elif kind == 'pipfile':",
    "    lock = json.load(open('Pipfile.lock'))",
    "    indexes = [s['url'] for s in lock.get('_meta', {}).get('sources', [])]",
    "    for name, e in sorted(lock.get('default', {}).items()):",
    "        add(name, e['version'].lstrip('='), e.get('markers'), e.get('hashes', []), None)",
    "elif kind == 'pdm':",
    "    lock = tomllib.load(open('pdm.lock', 'rb'))",
    "    project = tomllib.load(open('pyproject.toml', 'rb'))",
    "    norm = lambda n: re.sub(r'[-_.]+', '-', n).lower()",
    "    me = norm(project.get('project', {}).get('name', ''))",
    "    for s in project.get('tool', {}).get('pdm', {}).get('source', []):",
    "        if s.get('type') == 'find_links':",
    "            options.append('--find-links ' + s['url'])",
    "        elif s.get('name') == 'pypi':  # replaces the default index, as in PDM",
    "            options.insert(0, '--index-url ' + s['url'])",
    "        else:",
    "            options.append('--extra-index-url ' + s['url'])",
    "        if s.get('verify_ssl') is False:",
    "            options.append('--trusted-host ' + urllib.parse.urlsplit(s['url']).netloc.rpartition('@')[2])",
    "    for p in lock.get('package', []):",
    "        if p.get('extras') or norm(p['name']) == me or not set(p.get('groups', [])) & groups:",
    "            continue",
    "        marker = p.get('marker')",
    "        hashes = sorted({f['hash'] for f in p.get('files', []) if f.get('hash')})",
    "        vcs = [k for k in ('git', 'hg', 'svn', 'bzr') if k in p]",
    "        if vcs:",
    "            rev = p.get('revision') or p.get('ref')",
    "            sub = '#subdirectory=' + p['subdirectory'] if p.get('subdirectory') else ''",
    "            local.append(p['name'] + ' @ ' + vcs[0] + '+' + p[vcs[0]] + ('@' + rev if rev else '') + sub + (' ; ' + marker if marker else ''))",
    "        elif 'path' in p:",
    "            local.append(('-e ' if p.get('editable') else '') + './' + posixpath.normpath(p['path']))",
    "        elif 'url' in p:",
    "            line = p['name'] + ' @ ' + p['url'] + (' ; ' + marker if marker else '')",
    "            (hashed if hashes else local).append(line + ''.join(' --hash=' + h for h in hashes))",
    "        else:",
    "            add(p['name'], p['version'], marker, hashes, None)",
    "",
    "# A lock's indexes (a ${NAME} in a URL is expanded by pip from the install secrets).",
    "head = ''.join(('--index-url ' if i == 0 and kind == 'pipfile' else '--extra-index-url ') + u + '\\n' for i, u in enumerate(indexes)) + ''.join(o + '\\n' for o in options)",
    "# An empty file stays empty: pip refuses a requirements file of options only.",
    "open('/tmp/requirements.lock.txt', 'w').write(head + ''.join(r + '\\n' for r in hashed) if hashed else '')",
    "open('/tmp/requirements.local.txt', 'w').write(head + ''.join(r + '\\n' for r in local) if local else '')",
    "# The indexes alone, for the installs after this one (the packages the image adds).",
    "open('/tmp/index-options.txt', 'w').write(head)",
    "print(f'{kind} lock: {len(hashed)} packages with hashes, {len(local)} without', file=sys.stderr)",
];
