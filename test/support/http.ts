const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET a URL until it answers 200 (the container is starting), or give up after timeoutMs. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
            if (res.status === 200) {
                await res.text();
                return;
            }
            last = `HTTP ${res.status}`;
        } catch (e) {
            last = String(e);
        }
        await sleep(500);
    }
    throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (${last})`);
}

/** GET a URL and parse JSON, retrying once a second while the container starts. */
export async function getJson(url: string, tries = 30): Promise<any> {
    let last: unknown;
    for (let i = 0; i < tries; i++) {
        try {
            const res = await fetch(url);
            if (res.ok) {
                return await res.json();
            }
            last = new Error(`${url}: HTTP ${res.status}`);
        } catch (e) {
            last = e;
        }
        await sleep(1000);
    }
    throw last;
}
