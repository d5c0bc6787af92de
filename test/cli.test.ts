/**
 * What every command does with a bad input: exit 2, one message naming the file (and the line, for YAML) or the
 * argument, no stack trace, nothing on stdout. Each input is its own case.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runAccess } from "../tools/access";
import { readStackFile, ROOT } from "../tools/offline";
import { runPlan } from "../tools/plan";
import { runPolicy } from "../tools/policy";
import { MAX_ALIAS_NODES } from "../tools/stackFile";
import { cutLongValues } from "../tools/usage";
import { call, STACK_FRAME } from "./helpers/cli";

const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-cli-"));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const VALID_HEAD = "config:\n  aws:region: us-east-1\n  eks-irsa:cluster: { name: c1 }\n";

/** A bomb of 9 levels of 9 aliases: 9^9 values once expanded. */
const bomb = ["config:", "  a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdefghi".split("").map((n, i) => `  ${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)].join("\n") + "\n";

/** [case, stack file text, the whole first line of stderr] for `--config-file <file>`; FILE stands for the path. */
const STACK_FILES: [string, string, string][] = [
  ["a YAML syntax error", `${VALID_HEAD}  eks-irsa:workloads: [\n`, "FILE:5:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  ["a tab as indentation", "config:\n\taws:region: us-east-1\n", "FILE:2:1: not valid YAML: Tabs are not allowed as indentation"],
  ["a duplicate key", `${VALID_HEAD}  aws:region: us-west-2\n`, "FILE:4:3: not valid YAML: Map keys must be unique"],
  ["a duplicate key in a nested map", "config:\n  eks-irsa:cluster:\n    name: a\n    name: b\n", "FILE:4:5: not valid YAML: Map keys must be unique"],
  ["an alias bomb", bomb, `FILE:6:10: YAML aliases repeat more than ${MAX_ALIAS_NODES} nodes (an alias bomb?): write the values out`],
  ["an alias inside its own anchor", "config:\n  a: &x [1, *x]\n", "FILE:2:13: alias *x is inside its own anchor &x (a cycle)"],
  ["an alias without its anchor", "config:\n  a: *nope\n", "FILE:2:6: not valid YAML: alias *nope has no anchor &nope before it"],
  ["two YAML documents", `${VALID_HEAD}---\nconfig: {}\n`, "FILE:4:1: not valid YAML: a second YAML document (---): a stack config file is one document"],
  ["an empty file", "", "FILE: is empty: a stack config file is a map with a `config:` map of the stack's settings"],
  ["a file of comments only", "# nothing yet\n", "FILE: is empty: a stack config file is a map with a `config:` map of the stack's settings"],
  ["a list document", "- config\n- x\n", "FILE:1: is a list, not a map: a stack config file is a map with a `config:` map of the stack's settings"],
  ["a scalar document", "hello\n", "FILE:1: is a string, not a map: a stack config file is a map with a `config:` map of the stack's settings"],
  ["config: a list", "config:\n  - aws:region\n", "FILE:1: `config:` is not a map"],
  ["config: a scalar", "config: 5\n", "FILE:1: `config:` is not a map"],
  ["a !!omap value (no JSON form)", `${VALID_HEAD}  eks-irsa:workloads: [{ name: web, namespace: web, tags: !!omap [team: web] }]\n`, "FILE:4:66: the YAML tag !!omap has no JSON form: a stack config value is a string, number, boolean, null, list or map"],
  ["a !!set value", `${VALID_HEAD}  eks-irsa:roleDefaults:\n    allowedRegions: !!set { us-east-1 }\n`, "FILE:5:27: the YAML tag !!set has no JSON form: a stack config value is a string, number, boolean, null, list or map"],
  ["a !!binary value", `${VALID_HEAD}  eks-irsa:x: !!binary aGVsbG8=\n`, "FILE:4:24: the YAML tag !!binary has no JSON form: a stack config value is a string, number, boolean, null, list or map"],
  ["a list as a map key", `${VALID_HEAD}  ? [a, b]\n  : x\n`, "FILE:4:5: a map key that is a list or a map has no JSON form: keys are strings"],
  ["a YAML 1.1 timestamp", `%YAML 1.1\n---\n${VALID_HEAD}  eks-irsa:x: 2001-12-14\n`, 'FILE:6:15: "2001-12-14" reads as a YAML timestamp, which has no JSON form: quote it'],
  ["a local tag", `${VALID_HEAD}  eks-irsa:x: !vault secret/x\n`, "FILE:4:22: the YAML tag !vault has no JSON form: a stack config value is a string, number, boolean, null, list or map"],
];

describe("commands: every bad input exits 2 with its file, line and path, and no stack trace", () => {
  const expectUsage = async (run: typeof runPlan, args: string[], firstLine: string | RegExp) => {
    const r = await call(run, ...args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.doesNotMatch(r.stderr, STACK_FRAME);
    const first = r.stderr.split("\n")[0];
    if (typeof firstLine === "string") assert.equal(first, firstLine);
    else assert.match(first, firstLine);
    return r.stderr;
  };

  describe("stack files that are not one", () => {
    STACK_FILES.forEach(([name, text, message], i) => {
      it(`${name}: plan`, async () => {
        const f = file(`case-${i}.yaml`, text);
        await expectUsage(runPlan, ["dev", "--config-file", f], message.replace("FILE", f));
      });
    });

    it("merge keys (<<: *anchor) as the Pulumi CLI reads them: the merged map, its own keys winning", () => {
      const f = file("merge.yaml", `${VALID_HEAD}  eks-irsa:roleDefaults:\n    tags: &base { team: web, owner: platform }\n  eks-irsa:workloads:\n    - { name: web, namespace: web, tags: { <<: *base, owner: me } }\n`);
      const config = readStackFile(f);
      assert.deepEqual((config["eks-irsa:workloads"] as { tags: object }[])[0].tags, { team: "web", owner: "me" });
      const tagged = file("merge-tagged.yaml", `${VALID_HEAD}  eks-irsa:roleDefaults:\n    tags: &base { team: web }\n  eks-irsa:workloads:\n    - { name: web, namespace: web, tags: { !!merge <<: *base, owner: me } }\n`);
      assert.deepEqual((readStackFile(tagged)["eks-irsa:workloads"] as { tags: object }[])[0].tags, { team: "web", owner: "me" });
    });

    it("the same messages from policy and access (one code path), access's --base too", async () => {
      for (const [i, [, text, message]] of STACK_FILES.entries()) {
        const f = file(`again-${i}.yaml`, text);
        await expectUsage(runPolicy, ["dev", "--config-file", f], message.replace("FILE", f));
        await expectUsage(runAccess, ["dev", "--config-file", f], message.replace("FILE", f));
        await expectUsage(runAccess, ["dev", "--base", f], `--base ${message.replace("FILE", f)}`);
      }
    });
  });

  describe("files and stacks that do not exist", () => {
    it("an unknown stack names the file it looked for and the stacks there are", async () => {
      for (const run of [runPlan, runPolicy, runAccess]) {
        await expectUsage(run, ["nosuchstack"], `no stack nosuchstack: ${path.relative(process.cwd(), path.join(ROOT, "Pulumi.nosuchstack.yaml"))} does not exist (stacks here: addons, dev, prod); create it, or pass --config-file FILE`);
      }
    });

    it("a missing --config-file names that file, not the stack's", async () => {
      const missing = path.join(dir, "missing.yaml");
      for (const run of [runPlan, runPolicy, runAccess]) await expectUsage(run, ["dev", "--config-file", missing], `--config-file ${missing}: no such file`);
    });

    it("a directory as --config-file", async () => {
      await expectUsage(runPlan, ["dev", "--config-file", dir], `${dir}: is a directory, not a stack config file`);
    });

    it("a stack name that is not one (it would name a file elsewhere)", async () => {
      await expectUsage(runPlan, ["../dev"], '"../dev" is not a stack name (letters, digits, -, _ and .)');
    });

    it("a missing stack, an unknown option, an option without its value, an extra argument: the usage", async () => {
      const usage = "usage: npm run plan -- <stack> [--config-file FILE] [--json] (--help explains)";
      assert.equal(await expectUsage(runPlan, [], "a stack name is required"), `a stack name is required\n${usage}\n`);
      assert.equal(await expectUsage(runPlan, ["dev", "--bogus"], "unknown option --bogus"), `unknown option --bogus\n${usage}\n`);
      await expectUsage(runPlan, ["dev", "--config-file"], "--config-file needs a value");
      await expectUsage(runPlan, ["dev", "prod"], "unexpected argument prod");
      await expectUsage(runAccess, ["dev", "--format", "xml"], "--format must be one of text, md, json");
    });

    it("a --policy-config that is missing, not JSON, or not an object", async () => {
      const missing = path.join(dir, "nope.json");
      await expectUsage(runPolicy, ["dev", "--policy-config", missing], `--policy-config ${missing}: no such file`);
      const broken = file("broken.json", "{ all: ");
      await expectUsage(runPolicy, ["dev", "--policy-config", broken], new RegExp(`^--policy-config ${broken}: not JSON: `));
      const list = file("list.json", "[]");
      await expectUsage(runPolicy, ["dev", "--policy-config", list], `--policy-config ${list}: not a JSON object of rule settings`);
    });
  });

  describe("config errors", () => {
    it("each problem as file:line: path: message, the line of its key", async () => {
      const f = file("bad.yaml", `${VALID_HEAD}  eks-irsa:workloads:\n    - name: a\n      namespace: Data_Pipeline\n    - name: b\n      namespace: ok\n      s3:\n        - bucket: My_Bucket\n          access: read\n`);
      const stderr = await expectUsage(runPlan, ["dev", "--config-file", f], `${f}: invalid eks-irsa config (2 problems):`);
      assert.deepEqual(stderr.split("\n").slice(1), [
        `  ${f}:6: workloads[0].namespace: "Data_Pipeline" is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)`,
        `  ${f}:10: workloads[1].s3[0].bucket: "My_Bucket" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix)`,
        "",
      ]);
    });

    it("a missing key points at its parent (a missing region at `config:`); a key of another namespace at itself", async () => {
      const f = file("missing.yaml", "config:\n  aws:region: Mars\n  eks-irsa:cluster:\n    name: c1\n  eks-irsa:workloads:\n    - name: a\n");
      const stderr = await expectUsage(runPlan, ["dev", "--config-file", f], `${f}: invalid eks-irsa config (2 problems):`);
      assert.match(stderr, new RegExp(`\\n {2}${f}:2: aws:region: "Mars" is not a valid `));
      assert.match(stderr, new RegExp(`\\n {2}${f}:6: workloads\\[0\\]\\.namespace: is required`));
      const none = file("noregion.yaml", "config:\n  eks-irsa:cluster: { name: c1 }\n  eks-irsa:workloads: []\n");
      assert.match(await expectUsage(runPlan, ["dev", "--config-file", none], /: invalid eks-irsa config/), new RegExp(`\\n {2}${none}:1: aws:region: is required`));
    });

    it("a 100 KB value is shown cut, with its length", async () => {
      const f = file("long.yaml", `${VALID_HEAD}  eks-irsa:workloads:\n    - name: a\n      namespace: ${"n".repeat(100_000)}\n`);
      const stderr = await expectUsage(runPlan, ["dev", "--config-file", f], `${f}: invalid eks-irsa config (1 problem):`);
      assert.equal(stderr.split("\n")[1], `  ${f}:6: workloads[0].namespace: "${"n".repeat(100)}…" (100000 characters) is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)`);
      assert.ok(stderr.length < 1000, String(stderr.length));
      const long = "x".repeat(5000);
      assert.equal((await call(runPlan, "dev", long)).stderr.split("\n")[0], `unexpected argument ${"x".repeat(100)}… (5000 characters)`);
    });

    it("a secure value whose check needs the value says so, at its line; the ciphertext is never echoed", async () => {
      const f = file("secure.yaml", `${VALID_HEAD}  eks-irsa:roleDefaults:\n    permissionsBoundaryArn:\n      secure: v1:Y2lwaGVydGV4dA==\n  eks-irsa:workloads: []\n`);
      const stderr = await expectUsage(runPlan, ["dev", "--config-file", f], `${f}: invalid eks-irsa config (1 problem):`);
      assert.equal(stderr.split("\n")[1], `  ${f}:5: roleDefaults.permissionsBoundaryArn: is a secure value, which cannot be decrypted offline, and its check needs the value: run pulumi preview, or keep this value in plain text`);
      assert.ok(!stderr.includes("Y2lwaGVydGV4dA"));
    });

    it("a --base file with a config error: the same lines, after --base", async () => {
      const f = file("base-bad.yaml", `${VALID_HEAD}  eks-irsa:workloads:\n    - { name: a, namespace: Data_Pipeline }\n`);
      const stderr = await expectUsage(runAccess, ["dev", "--base", f], `--base ${f}: ${f}: invalid eks-irsa config (1 problem):`);
      assert.match(stderr.split("\n")[1], new RegExp(`^ {2}${f}:5: workloads\\[0\\]\\.namespace: "Data_Pipeline" is not a valid Kubernetes namespace`));
    });
  });

  describe("--help", () => {
    for (const [name, run] of [["plan", runPlan], ["policy", runPolicy], ["access", runAccess]] as const) {
      it(`${name} --help: usage, options, exit codes on stdout; exit 0 without running anything`, async () => {
        const r = await call(run, "--help");
        assert.equal(r.code, 0);
        assert.equal(r.stderr, "");
        assert.match(r.stdout, new RegExp(`^usage: npm run ${name} -- <stack> \\[--config-file FILE\\]`));
        assert.match(r.stdout, /\n {2}--help +print this help\n/);
        assert.match(r.stdout, /\nexit codes: 0 [^\n]*; 2 a usage, stack file[^\n]* error[^\n]*\n$/);
        assert.deepEqual(await call(run, "dev", "-h"), r, "-h too, anywhere");
      });
    }
  });
});

describe("tools/usage: long values in messages", () => {
  it("cuts a long quoted value and a long unquoted run, keeps short ones, counts the value's characters", () => {
    assert.equal(cutLongValues('"short" stays'), '"short" stays');
    assert.equal(cutLongValues(`a: "${"é".repeat(150)}" no`), `a: "${"é".repeat(100)}…" (150 characters) no`);
    assert.equal(cutLongValues(`"${"\\n".repeat(60)}"`), `"${"\\n".repeat(50)}…" (60 characters)`);
    assert.equal(cutLongValues(`path ${"p".repeat(200)} ok`), `path ${"p".repeat(200)} ok`);
    assert.equal(cutLongValues(`path ${"p".repeat(201)}`), `path ${"p".repeat(100)}… (201 characters)`);
  });
});
