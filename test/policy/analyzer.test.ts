/**
 * The policy pack as users run it (`pulumi preview --policy-pack policy`): started by the Pulumi SDK's own
 * run-policy-pack under ts-node with type checking, in policy/, and driven over gRPC with the engine's messages.
 * The rules' tests prove what each rule decides; this proves the pack loads, serves every rule, decodes the
 * engine's encodings (Struct properties, unknowns, secrets), applies Configure, and reports with the right level.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { RULES } from "../../policy/rules";
import { PROJECT, readStackFile, stackFile, type OfflineRun, type RegisteredResource } from "../../tools/offline";
import { readPackConfig } from "../../tools/policyCheck";
import { BAD_FIXTURES, HOST, irsa, policy, resource, role } from "../fixtures/badResources";
import { PolicyPackProcess, POLICY_DIR, UNKNOWN, fromRegistered, packVersion, secret, type AnalyzedResource, type Diagnostic } from "../helpers/analyzer";
import { runStack } from "../helpers/stacks";
import { RISKY_FIXTURES } from "./riskyFixtures";

const STACK = "dev";
const inputs = (r: RegisteredResource, all: RegisteredResource[] = []) => fromRegistered(r, "inputs", STACK, PROJECT, all);
const state = (r: RegisteredResource, all: RegisteredResource[] = []) => fromRegistered(r, "state", STACK, PROJECT, all);
const show = (ds: Diagnostic[]) => ds.map((d) => `[${d.level}] ${d.policyName} ${d.urn}: ${d.message}`).join("\n") || "no diagnostic";
const kindOf = new Map(RULES.map((r) => [r.name, r.kind]));

// ts-node type-checks the pack (and the core/ modules it imports) before the port is printed: the pack is started
// by a root hook, when the run starts, so that this overlaps the tests that come first; the root after hook stops it
// whichever tests ran.
let starting: Promise<PolicyPackProcess> | undefined;
before(function () {
  starting = PolicyPackProcess.start({ stack: STACK, project: PROJECT, dryRun: true, stackConfig: readStackFile(stackFile(STACK)) });
  starting.catch(() => undefined); // awaited (and its failure reported) by the suite below
});
after(async function () {
  await (await starting?.catch(() => undefined))?.stop();
});

describe("policy pack under the Pulumi CLI's runner (run-policy-pack over gRPC)", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;
  let dev: OfflineRun;

  before(async function () {
    dev = await runStack(STACK);
    pack = await starting!;
  });

  after(async function () {
    await pack?.stop();
  });

  /** Analyze for each resource (inputs), then AnalyzeStack (state): one `pulumi preview`. */
  async function preview(resources: RegisteredResource[]): Promise<{ analyze: Diagnostic[]; stack: Diagnostic[] }> {
    const analyze: Diagnostic[] = [];
    for (const r of resources) analyze.push(...(await pack.analyze(inputs(r, resources))));
    return { analyze, stack: await pack.analyzeStack(resources.map((r) => state(r, resources))) };
  }

  describe("startup", function () {
    it("starts from policy/ as the CLI starts it: ts-node compiles and type-checks the pack, the first stdout line is the Analyzer's port", function () {
      assert.ok(pack.port > 0);
      // The CLI reads PulumiPolicy.yaml (runtime; a version there would override package.json's) and runs "." here.
      const project = parseYaml(readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime?: unknown; main?: string; version?: string };
      const manifest = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { main?: string };
      assert.equal(project.runtime, "nodejs");
      if (project.main !== undefined) assert.equal(project.main, manifest.main, "PulumiPolicy.yaml main and package.json main (what run-policy-pack loads) differ");
      if (project.version !== undefined) assert.equal(project.version, packVersion(), "PulumiPolicy.yaml's version overrides package.json's in the CLI");
      assert.equal(pack.info.getName(), "eks-irsa");
      assert.equal(pack.info.getVersion(), packVersion());
      assert.ok(pack.info.getSupportsconfig(), "the pack must accept --policy-pack-config");
      assert.ok(pack.pluginVersion.length > 0, "GetPluginInfo returns the @pulumi/policy version");
      console.log(`      (run-policy-pack in ${POLICY_DIR}: port after ${pack.startupMs} ms, ${pack.cacheFiles ? `${pack.cacheFiles} files in ts-node's cache` : "ts-node's cache empty"}; Handshake ${pack.handshake})`);
    });

    it("GetAnalyzerInfo lists exactly the rules of policy/rules, each with its description and enforcement level", function () {
      const served = pack.policies.map((p) => ({ name: p.name, description: p.description, level: p.level }));
      const expected = RULES.map((r) => ({ name: r.name, description: r.description, level: r.enforcementLevel }));
      assert.ok(expected.length >= 15, `${expected.length} rules`);
      assert.deepEqual(served, expected);
    });

    it("the defaults the CLI reads from each config schema agree with the rule's own defaults (the CLI sends them as settings)", function () {
      for (const p of pack.policies) {
        const rule = RULES.find((r) => r.name === p.name)!;
        for (const [key, schema] of Object.entries(p.configProperties ?? {})) {
          assert.ok(key in rule.defaults, `${p.name}: schema property ${key} has no default in the rule`);
          if ("default" in schema) assert.deepEqual(schema.default, (rule.defaults as Record<string, unknown>)[key], `${p.name}.${key}`);
        }
      }
    });
  });

  describe("violations are reported as the CLI receives them", function () {
    for (const fixture of BAD_FIXTURES) {
      const kind = kindOf.get(fixture.rule);
      it(`${kind === "stack" ? "AnalyzeStack" : "Analyze"}: ${fixture.rule} (mandatory) on ${fixture.why}`, async function () {
        const found =
          kind === "stack"
            ? await pack.analyzeStack(fixture.resources.map((r) => state(r)))
            : (await Promise.all(fixture.resources.map((r) => pack.analyze(inputs(r))))).flat();
        const hits = found.filter((d) => d.policyName === fixture.rule);
        assert.ok(hits.length > 0, `expected ${fixture.rule}, got:\n${show(found)}`);
        for (const d of hits) {
          assert.equal(d.level, "mandatory", show([d]));
          assert.equal(d.policyPackName, "eks-irsa");
          assert.equal(d.policyPackVersion, packVersion());
          assert.ok(d.message.length > 0);
          // A stack violation names the resource at fault, so the CLI attributes it.
          if (kind === "stack") assert.ok(fixture.resources.some((r) => state(r).urn === d.urn), `urn ${d.urn}`);
        }
      });
    }

    for (const fixture of RISKY_FIXTURES) {
      it(`Analyze: ${fixture.rule} (advisory) on ${fixture.why}`, async function () {
        const found = (await Promise.all(fixture.resources.map((r) => pack.analyze(inputs(r))))).flat();
        assert.ok(found.length > 0, "no diagnostic");
        assert.deepEqual(found.map((d) => [d.policyName, d.level]), found.map(() => [fixture.rule, "advisory"]), show(found));
      });
    }

    it("every rule the pack serves is drawn by at least one fixture", function () {
      for (const p of pack.policies) assert.ok([...BAD_FIXTURES, ...RISKY_FIXTURES].some((f) => f.rule === p.name), p.name);
    });

    it("a document marked secret is still checked (the engine sends secrets wrapped, the pack unwraps them)", async function () {
      const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bucket/*" }] });
      const bad = inputs(policy("secret-doc", []));
      const found = await pack.analyze({ ...bad, props: { ...bad.props, policy: secret(doc) } });
      assert.ok(found.some((d) => d.policyName === "permissions-wildcard-action" && d.level === "mandatory"), show(found));
    });
  });

  describe("the dev stack passes", function () {
    it("has the resources the rules look at (so that passing is not vacuous)", function () {
      const count = (t: string) => dev.resources.filter((r) => r.type === t).length;
      assert.ok(count("aws:iam/role:Role") >= 3 && count("aws:iam/rolePolicy:RolePolicy") >= 3 && count("kubernetes:core/v1:ServiceAccount") >= 2, "dev stack resources");
    });

    it("Analyze: a workload role of the dev stack draws no diagnostic", async function () {
      const r = dev.resources.find((x) => x.type === "aws:iam/role:Role" && String(x.inputs.assumeRolePolicy).includes("system:serviceaccount:"))!;
      assert.ok(r, "an IRSA role in the dev stack");
      const found = await pack.analyze(inputs(r, dev.resources));
      assert.deepEqual(found, [], show(found));
    });

    it("Analyze for every resource's inputs, then AnalyzeStack with the final state: no diagnostic", async function () {
      const { analyze, stack } = await preview(dev.resources);
      assert.deepEqual(analyze, [], show(analyze));
      assert.deepEqual(stack, [], show(stack));
    });

    it("AnalyzeStack: the dev stack plus a ServiceAccount annotated with a role that does not trust it → service-account-role-trust-mismatch", async function () {
      const target = dev.resources.find((x) => x.type === "aws:iam/role:Role" && String(x.inputs.assumeRolePolicy).includes("system:serviceaccount:"))!;
      const intruder = resource("kubernetes:core/v1:ServiceAccount", "intruder", {
        metadata: { name: "intruder", namespace: "other", annotations: { "eks.amazonaws.com/role-arn": String(target.outputs.arn) } },
      });
      const found = await pack.analyzeStack([...dev.resources, intruder].map((r) => state(r, dev.resources)));
      assert.deepEqual(
        found.map((d) => [d.policyName, d.level, d.urn]),
        [["service-account-role-trust-mismatch", "mandatory", state(intruder).urn]],
        show(found),
      );
    });
  });

  describe("values unknown at preview (the engine's unknown sentinel)", function () {
    it("Analyze: a role whose trust and ARN are unknown, and a policy whose document is (partly) unknown, draw no diagnostic and no error", async function () {
      const found = [
        ...(await pack.analyze(inputs(resource("aws:iam/role:Role", "new", { name: "new", assumeRolePolicy: UNKNOWN })))),
        ...(await pack.analyze(inputs(resource("aws:iam/policy:Policy", "new", { name: "new", policy: UNKNOWN })))),
        ...(await pack.analyze(
          inputs(resource("aws:iam/policy:Policy", "partly", { name: "partly", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: UNKNOWN }] } })),
        )),
        ...(await pack.analyze(inputs(resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "new", { role: UNKNOWN, policyArn: UNKNOWN })))),
      ];
      // In particular no advisory "can't run policy ... during preview", CrossGuard's default for an unknown read.
      assert.deepEqual(found, [], show(found));
    });

    it("AnalyzeStack: a ServiceAccount annotated with a role whose ARN and trust are still unknown draws no diagnostic", async function () {
      const newRole = resource("aws:iam/role:Role", "new", { name: "new", assumeRolePolicy: UNKNOWN }, { arn: UNKNOWN });
      const sa = resource("kubernetes:core/v1:ServiceAccount", "app", { metadata: { name: "app", namespace: "ns", annotations: { "eks.amazonaws.com/role-arn": UNKNOWN } } });
      const found = await pack.analyzeStack([newRole, sa].map((r) => state(r)));
      assert.deepEqual(found, [], show(found));
    });

    it("the same violation is still reported once its value is known (pulumi up)", async function () {
      const found = await pack.analyze(inputs(role("known", irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } }))));
      assert.ok(found.some((d) => d.policyName === "oidc-trust-without-exact-subject"), show(found));
    });
  });

  describe("--policy-pack-config through Configure", function () {
    const unknownAction = BAD_FIXTURES.find((f) => f.rule === "permissions-unknown-action")!.resources.map((r) => inputs(r));
    const sharedRole = BAD_FIXTURES.find((f) => f.why.startsWith("one role trusted by two ServiceAccounts"))!.resources.map((r) => state(r));
    const levelsOf = async (rs: AnalyzedResource[], rule: string) => (await Promise.all(rs.map((r) => pack.analyze(r)))).flat().filter((d) => d.policyName === rule).map((d) => d.level);

    afterEach(async function () {
      await pack.configure({});
    });

    it('{"all": "advisory"} turns a mandatory finding advisory, for resource and stack rules', async function () {
      await pack.configure({ all: "advisory" });
      assert.deepEqual(await levelsOf(unknownAction, "permissions-unknown-action"), ["advisory"]);
      assert.deepEqual((await pack.analyzeStack(sharedRole)).map((d) => [d.policyName, d.level]), [["service-account-role-trust-mismatch", "advisory"]]);
    });

    it("a disabled rule reports nothing; the others keep their level", async function () {
      await pack.configure({ "permissions-unknown-action": "disabled" });
      assert.deepEqual(await levelsOf(unknownAction, "permissions-unknown-action"), []);
      assert.deepEqual((await pack.analyzeStack(sharedRole)).map((d) => d.level), ["mandatory"]);
    });

    it("a rule's settings reach it (sharedRoles declares the shared role)", async function () {
      await pack.configure({ "service-account-role-trust-mismatch": { sharedRoles: ["shared"] } });
      const found = await pack.analyzeStack(sharedRole);
      assert.deepEqual(found, [], show(found));
    });

    it("policy/policy-config.sample.json: the dev stack passes, permissions-unknown-action and workload-access-risky report advisory", async function () {
      await pack.configure(readPackConfig(path.join(POLICY_DIR, "policy-config.sample.json")));
      const { analyze, stack } = await preview(dev.resources);
      assert.deepEqual([...analyze, ...stack], [], show([...analyze, ...stack]));
      assert.deepEqual(await levelsOf(unknownAction, "permissions-unknown-action"), ["advisory"]);
      assert.deepEqual(await levelsOf(RISKY_FIXTURES[0].resources.map((r) => inputs(r)), "workload-access-risky"), ["advisory"]);
    });
  });

  describe("protocol", function () {
    it("an Analyze without resource options is refused (why the CLI, and this test, always send them)", async function () {
      await assert.rejects(pack.analyze(inputs(policy("no-options", [])), { withoutOptions: true }), /A more recent version of the Pulumi CLI is required/);
    });

    it("the pack printed nothing but its port, and nothing to stderr (the CLI shows a plugin's output to the user)", function () {
      const stderr = pack.stderr
        .split("\n")
        .filter((l) => l.trim() !== "" && !/^\(node:\d+\) \w*Warning|--trace-\w+/.test(l))
        .join("\n");
      assert.equal(stderr, "");
      assert.equal(pack.stdoutAfterPort, "");
      assert.deepEqual(pack.engineLogs, []);
    });
  });
});
