/**
 * Django apps projects add only in development (`if DEBUG: INSTALLED_APPS += [...]`,
 * or after `try: import debug_toolbar`), each with the distribution (PEP 503
 * name) that installs it. Each one's distribution installs only that module,
 * and none is a dependency of another project: when the app's dependencies
 * do not list it, importing it fails.
 */
export const DJANGO_DEV_APPS: ReadonlyArray<{ readonly app: string; readonly distribution: string }> = [
    { app: "debug_toolbar", distribution: "django-debug-toolbar" },
    { app: "django_extensions", distribution: "django-extensions" },
    { app: "silk", distribution: "django-silk" },
    { app: "django_browser_reload", distribution: "django-browser-reload" },
    { app: "debug_panel", distribution: "django-debug-panel" },
    { app: "nplusone.ext.django", distribution: "nplusone" },
];

/** The distribution that installs an importable module of one of those apps (`debug_toolbar.middleware`, `nplusone`), if any. */
export function devAppDistribution(module: string): string | undefined {
    const top = module.split(".")[0];
    return DJANGO_DEV_APPS.find((a) => a.app.split(".")[0] === top)?.distribution;
}
