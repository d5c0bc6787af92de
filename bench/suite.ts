/**
 * `npm run bench:suite`: how long `npm test` and each of its parts (tsc, eslint, mocha) take on this machine, cold
 * (no tsc, eslint, ts-node or tsx cache: a fresh clone, as in CI) and warm (the same run again), with mocha's
 * slowest files and hooks. Prints the figures and writes them to bench/suite.md. Timing is measured here, never
 * asserted by a test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = path.resolve(__dirname, "..");

/** What bench/suiteReporter.ts writes. */
export interface SuiteTimes {
  files: Record<string, number>;
  /** Hooks and tests of at least 500 ms, slowest first. */
  slow: { ms: number; title: string }[];
  tests: number;
  failures: number;
}

const TARGETS = { test: 60, mocha: 20 };

interface Pass {
  typecheck: number;
  lint: number;
  mocha: number;
  times: SuiteTimes;
  load: number;
}

function npmRun(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  execFileSync("npm", ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - started) / 1000;
}

/** The caches a second run reuses: tsc's build info, eslint's, ts-node's (the policy pack's runner) and tsx's. */
function clearCaches(): void {
  rmSync(path.join(ROOT, "node_modules/.cache/eks-irsa"), { recursive: true, force: true });
  rmSync(path.join(os.tmpdir(), `tsx-${os.userInfo().uid}`), { recursive: true, force: true });
}

function pass(label: string): Pass {
  process.stderr.write(`${label}: typecheck, lint, mocha...\n`);
  const load = os.loadavg()[0];
  const dir = mkdtempSync(path.join(os.tmpdir(), "eks-irsa-suite-"));
  const out = path.join(dir, "times.json");
  try {
    const typecheck = npmRun("typecheck");
    const lint = npmRun("lint");
    const mocha = npmRun("mocha", ["--reporter", path.join(ROOT, "bench/suiteReporter.ts")], { ...process.env, EKS_IRSA_SUITE_TIMES: out });
    const times = JSON.parse(readFileSync(out, "utf8")) as SuiteTimes;
    return { typecheck, lint, mocha, times, load };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  clearCaches();
  const cold = pass("cold (no caches)");
  const warm = pass("warm (caches of the cold run)");
  const s = (x: number) => `${x.toFixed(1)} s`;
  const total = (p: Pass) => p.typecheck + p.lint + p.mocha;
  const row = (label: string, p: Pass) => `| ${label} | ${s(p.typecheck)} | ${s(p.lint)} | ${s(p.mocha)} | ${s(total(p))} | ${p.times.tests} (${p.times.failures} failing) | ${p.load.toFixed(2)} |`;
  const files = Object.entries(warm.times.files).sort((a, b) => b[1] - a[1]);
  const lines = [
    "# Test suite timing",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    "- command: `npm run bench:suite` (`npm test`'s three scripts, one after the other, as `npm test` runs them; wall time)",
    "",
    "| run | tsc (typecheck) | eslint | mocha | npm test | tests | load average before |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    row("cold: a fresh clone (CI)", cold),
    row("warm: a second run", warm),
    "",
    `targets: npm test < ${TARGETS.test} s (cold ${s(total(cold))}, warm ${s(total(warm))}); mocha < ${TARGETS.mocha} s (cold ${s(cold.mocha)}, warm ${s(warm.mocha)}).`,
    "",
    "## Mocha, warm run: the slowest files (hooks and tests, wall time)",
    "",
    "| file | time |",
    "| --- | ---: |",
    ...files.slice(0, 12).map(([f, ms]) => `| ${f} | ${s(ms / 1000)} |`),
    `| the other ${files.length - 12} files | ${s(files.slice(12).reduce((a, [, ms]) => a + ms, 0) / 1000)} |`,
    "",
    "## Mocha, warm run: hooks and tests of 500 ms or more",
    "",
    "| time | hook or test |",
    "| ---: | --- |",
    ...warm.times.slow.slice(0, 15).map((t) => `| ${s(t.ms / 1000)} | ${t.title.replace(/\|/g, "\\|").slice(0, 160)} |`),
    "",
  ];
  const text = lines.join("\n");
  writeFileSync(path.join(__dirname, "suite.md"), text);
  process.stdout.write(text);
  if (cold.times.failures + warm.times.failures > 0) process.exitCode = 1;
}

main();
