import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import fc from "fast-check";
import { conditionText } from "../../analysis/condition";
import { diffModels } from "../../analysis/diff";
import type { AccessModel } from "../../analysis/model";
import { configAt, legacyCondition, parseModel, resolveBase } from "../../tools/access/base";
import { parseArgs } from "../../tools/args";
import { runAccess } from "../../tools/access";
import { UsageError } from "../../tools/cli";
import { ROOT } from "../../tools/offline";
import { call, STACK_FRAME } from "../helpers/cli";

/** `npm run access -- ...` through its in-process entry. */
const access = (...args: string[]) => call(runAccess, ...args);

const tmp = (name: string, text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-access-")), name);
  writeFileSync(file, text);
  return file;
};

describe("tools/access: the access report command", () => {
  it("dev --format json prints only the model: identities with assumers and checked rows", async () => {
    const r = await access("dev", "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const model = JSON.parse(r.stdout) as AccessModel;
    assert.deepEqual(Object.keys(model), ["stack", "region", "accountId", "identities", "secretStores", "externalSecrets", "errors"]);
    assert.deepEqual([model.stack, model.region, model.accountId, model.errors], ["dev", "us-east-1", "111122223333", []]);
    const frontend = model.identities.find((i) => i.label === "frontend")!;
    assert.equal(frontend.assumers[0].type === "service-account" && frontend.assumers[0].serviceAccount, "web/frontend");
    const row = frontend.grants.find((g) => g.action === "s3:GetObject")!;
    assert.equal(row.resource, "arn:aws:s3:::acme-dev-static-assets/static/*");
    assert.equal(row.check?.decision, "Allowed");
  });

  it("--base FILE: a base without the frontend workload shows it as new, with what it gains", async () => {
    const doc = parseYaml(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const workloads = doc.config["eks-irsa:workloads"] as { name: string }[];
    doc.config["eks-irsa:workloads"] = workloads.filter((w) => w.name !== "frontend");
    const r = await access("dev", "--base", tmp("base.yaml", stringifyYaml(doc)));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^eks-irsa access changes: stack dev, .*base\.yaml \(config only, with the current code\) -> working tree$/);
    assert.deepEqual(lines.slice(1), [
      "new workload frontend: arn:aws:iam::111122223333:role/irsa-dev-frontend, assumed by web/frontend",
      "web/frontend gains s3:GetObject on arn:aws:s3:::acme-dev-static-assets/static/*",
      "web/frontend gains s3:GetObjectVersion on arn:aws:s3:::acme-dev-static-assets/static/*",
      "web/frontend gains s3:ListBucket on arn:aws:s3:::acme-dev-static-assets when s3:prefix StringLike static/ | static/*",
    ]);
  });

  it("usage and config errors exit 2 with a message: unknown format, invalid or unparsable base, missing stack (an unknown ref: below)", async () => {
    const format = await access("dev", "--format", "xml");
    assert.deepEqual([format.code, format.stdout], [2, ""]);
    assert.match(format.stderr, /--format must be one of text, md, json/);
    const invalid = await access("dev", "--base", tmp("bad.yaml", "config:\n  aws:region: us-east-1\n  eks-irsa:cluster: { name: c1 }\n  eks-irsa:workloads:\n    - { name: a, namespace: Data_Pipeline }\n"));
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /^--base (\S+bad\.yaml): \1: invalid eks-irsa config \(1 problem\):\n {2}\1:5: workloads\[0\]\.namespace: "Data_Pipeline"/);
    const yaml = await access("dev", "--base", tmp("broken.yaml", "config: [\n"));
    assert.deepEqual([yaml.code, yaml.stdout], [2, ""]);
    assert.match(yaml.stderr, /^--base \S+broken\.yaml:2:1: not valid YAML: /);
    assert.doesNotMatch(yaml.stderr, STACK_FRAME, "no stack trace");
    assert.equal((await access("nosuchstack")).code, 2);
  });

  it("a --base that looks like an option is never one for git: exit 2, nothing written", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-access-"));
    const separate = await access("dev", "--base", `--output=${dir}/x`);
    assert.deepEqual([separate.code, separate.stdout], [2, ""]);
    assert.match(separate.stderr, /^--base needs a value\n/);
    const inline = await access("dev", `--base=--output=${dir}/y`);
    assert.deepEqual([inline.code, inline.stdout], [2, ""]);
    assert.match(inline.stderr, /^--base --output=.*: not a file, and not a commit git knows in /);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe("tools/access/base: what --base names, before any run", () => {
  const usage = (f: () => unknown, message: RegExp) => assert.throws(f, (e: Error) => e instanceof UsageError && message.test(e.message));

  it("an empty value, a directory, a file that is not a stack config, a ref git does not know: usage errors", () => {
    usage(() => resolveBase(""), /^--base needs a stack config file or a git ref, not an empty value$/);
    usage(() => resolveBase(path.join(ROOT, "tools")), /: not a file \(a directory\), and not a commit git knows/);
    usage(() => resolveBase(tmp("scalar.yaml", "config: 5\n")), /^--base \S+scalar\.yaml:1: `config:` is not a map$/);
    usage(() => resolveBase(tmp("tabs.yaml", "config:\n\t- x\n")), /^--base \S+tabs\.yaml:2:1: not valid YAML: Tabs are not allowed as indentation$/);
    usage(() => resolveBase("HEAD~100000"), /^--base HEAD~100000: not a file, and not a commit git knows/);
  });

  it("a regular file wins over a ref of the same name; a commit resolves to its sha", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-access-"));
    writeFileSync(path.join(dir, "HEAD"), "config:\n  aws:region: eu-west-1\n");
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      assert.deepEqual(resolveBase("HEAD"), { kind: "file", file: "HEAD", config: { "aws:region": "eu-west-1" } });
    } finally {
      process.chdir(cwd);
    }
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    const commit = resolveBase("HEAD");
    assert.ok(commit.kind === "commit" && commit.sha === head && head.startsWith(commit.short), JSON.stringify(commit));
  });

  it("the config at a commit: --config-file when the commit has it, else Pulumi.<stack>.yaml, else none", () => {
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    assert.deepEqual(configAt(head, "dev", path.join(ROOT, "Pulumi.prod.yaml")), { relative: "Pulumi.prod.yaml", given: true });
    assert.deepEqual(configAt(head, "dev", path.join(ROOT, "no-such-edit.yaml")), { relative: "Pulumi.dev.yaml", given: false });
    assert.deepEqual(configAt(head, "dev", tmp("Pulumi.dev.yaml", "")), { relative: "Pulumi.dev.yaml", given: false });
    assert.equal(configAt(head, "no-such-stack"), undefined);
  });
});

describe("tools/access/base: a base commit's report", () => {
  const identity = (conditions: unknown[]) => ({
    kind: "workload",
    label: "app",
    roleName: "shop-app",
    roleArn: "arn:aws:iam::111122223333:role/shop-app",
    accountId: "111122223333",
    assumers: [],
    grants: [{ action: "s3:ListBucket", resource: "arn:aws:s3:::shop-assets", conditions, check: { decision: "Allowed", denied: [] } }],
    guardrails: [],
    notEvaluated: [],
  });
  const report = (conditions: unknown[]) => JSON.stringify({ stack: "dev", region: "us-east-1", accountId: "111122223333", identities: [identity(conditions)], errors: [] });
  const fail = () => "failed";

  it("conditions printed as strings (a tool from before they were data) read as data", () => {
    const legacy = parseModel(report(["s3:prefix StringLike img/ | img/*", "aws:SecureTransport Bool true"]), fail);
    assert.deepEqual(legacy.identities[0].grants[0].conditions, [
      { operator: "Bool", key: "aws:SecureTransport", values: ["true"] },
      { operator: "StringLike", key: "s3:prefix", values: ["img/", "img/*"] },
    ]);
    const current = parseModel(report([{ operator: "StringLike", key: "s3:prefix", values: ["img/*", "img/"] }, { operator: "Bool", key: "aws:SecureTransport", values: ["true"] }]), fail);
    assert.deepEqual(diffModels(legacy, current), []);
    const wider = parseModel(report([{ operator: "StringLike", key: "s3:prefix", values: ["css/", "img/", "img/*"] }, { operator: "Bool", key: "aws:SecureTransport", values: ["true"] }]), fail);
    assert.deepEqual(diffModels(legacy, wider).map((c) => `${c.sign} ${c.text}`), [
      "+ workload app gains s3:ListBucket on arn:aws:s3:::shop-assets when aws:SecureTransport Bool true and s3:prefix StringLike css/",
    ]);
  });

  it("the legacy form: key and operator without spaces, values joined with ` | ` (spaces inside a value kept)", () => {
    assert.deepEqual(legacyCondition("aws:PrincipalTag/team StringEquals data platform | ops"), { operator: "StringEquals", key: "aws:PrincipalTag/team", values: ["data platform", "ops"] });
    const word = fc.stringMatching(/^[A-Za-z:/*-]{1,12}$/);
    const condition = fc.record({ operator: word, key: word, values: fc.array(fc.stringMatching(/^[a-z0-9/*: -]{0,8}$/), { minLength: 1, maxLength: 4 }) });
    fc.assert(fc.property(condition, (c) => assert.deepEqual(legacyCondition(conditionText(c)), { ...c })));
  });

  it("not a report: the failure message", () => {
    assert.throws(() => parseModel("npm ERR!", fail), /^Error: failed$/);
    assert.throws(() => parseModel("{}", fail), /^Error: failed$/);
  });
});

describe("tools/args: the shared argument parser", () => {
  it("splits --name=value on the first = only", () => {
    const { flags } = parseArgs(["dev", "--config-file=/tmp/a=b.yaml", "--base", "x=y"], ["config-file", "base"], []);
    assert.deepEqual([...flags], [["config-file", "/tmp/a=b.yaml"], ["base", "x=y"]]);
  });

  it("a value from the next argument must not look like an option; inline it may", () => {
    assert.throws(() => parseArgs(["dev", "--base", "--format", "json"], ["base", "format"], []), /^Error: --base needs a value$/);
    assert.throws(() => parseArgs(["dev", "--base"], ["base"], []), /^Error: --base needs a value$/);
    assert.equal(parseArgs(["dev", "--base=--x"], ["base"], []).flags.get("base"), "--x");
    assert.equal(parseArgs(["dev", "--base="], ["base"], []).flags.get("base"), "");
    assert.equal(parseArgs(["dev", "--json"], [], ["json"]).flags.get("json"), true);
  });
});
