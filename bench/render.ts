/**
 * Re-renders bench/results/latest.md and the chart (and, for a full run,
 * bench/RESULTS.md) from a saved bench/results/latest.json, without running
 * anything: `npx ts-node -P bench/tsconfig.json bench/render.ts [file.json]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildStats, Results, writeReports } from "./lib/report";
import { RESULTS_DIR } from "./lib/util";

const file = process.argv[2] ?? path.join(RESULTS_DIR, "latest.json");
const r = JSON.parse(fs.readFileSync(file, "utf8")) as Results;
r.buildStats = buildStats(r.builds);
r.full ??= !r.quick && r.runs >= 3 && r.errors.length === 0;
writeReports(r);
