import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runAccess } from "../../tools/access";
import { ROOT } from "../../tools/offline";
import { call } from "../helpers/cli";

/** `--base <git ref>` in-process; the base's own tool run in a worktree is in test/smoke.test.ts (it spawns). */
describe("tools/access --base <git ref>", () => {
  it("a stack the base does not have: every identity is new, exit 0", async () => {
    const staging = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-staging-")), "Pulumi.staging.yaml");
    copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), staging);
    const r = await call(runAccess, "staging", "--config-file", staging, "--base", "HEAD");
    assert.equal(r.code, 0, r.stderr);
    const [header, ...lines] = r.stdout.trim().split("\n");
    assert.match(header, /^eks-irsa access changes: stack staging, HEAD \(\w+\), which has no Pulumi\.staging\.yaml -> working tree \(\S+Pulumi\.staging\.yaml\)$/);
    assert.ok(lines.some((l) => l.startsWith("new workload frontend: arn:aws:iam::111122223333:role/irsa-dev-frontend, assumed by web/frontend")), r.stdout);
    assert.ok(!lines.some((l) => /^removed | loses /.test(l)), r.stdout);
  });
});
