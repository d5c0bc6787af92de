/**
 * A mocha reporter for `npm run bench:suite`: the dot reporter's output, plus the wall time of each test file
 * (its hooks and tests, from the end of the previous test) and of each slow hook or test, written as JSON to the
 * file named by EKS_IRSA_SUITE_TIMES.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";
import type { SuiteTimes } from "./suite";

const { EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_TEST_END, EVENT_RUN_END } = Mocha.Runner.constants;

class SuiteTimesReporter extends Mocha.reporters.Dot {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const out = process.env.EKS_IRSA_SUITE_TIMES;
    const files: Record<string, number> = {};
    const slow: SuiteTimes["slow"] = [];
    const rel = (f: string | undefined) => (f ? path.relative(process.cwd(), f) : "(root)");
    let last = Date.now();
    let hookStart = Date.now();
    runner.on(EVENT_HOOK_BEGIN, () => (hookStart = Date.now()));
    runner.on(EVENT_HOOK_END, (hook: Mocha.Hook) => {
      const ms = Date.now() - hookStart;
      if (ms >= 500) slow.push({ ms, title: `${rel(hook.file)}: ${hook.fullTitle()}` });
    });
    runner.on(EVENT_TEST_END, (test: Mocha.Test) => {
      const now = Date.now();
      const file = rel(test.file);
      files[file] = (files[file] ?? 0) + (now - last);
      last = now;
      if ((test.duration ?? 0) >= 500) slow.push({ ms: test.duration!, title: `${file}: ${test.fullTitle()}` });
    });
    runner.once(EVENT_RUN_END, () => {
      slow.sort((a, b) => b.ms - a.ms);
      const times: SuiteTimes = { files, slow, tests: runner.stats?.tests ?? 0, failures: runner.stats?.failures ?? 0 };
      if (out) writeFileSync(out, JSON.stringify(times));
    });
  }
}

export = SuiteTimesReporter;
