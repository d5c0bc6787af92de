import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parsePolicy } from "../../core/document";
import { evaluateTrust, webIdentityRequest } from "../../core/trustEval";
import { ROOT, runOffline, type OfflineRun } from "../../tools/offline";
import { program } from "../../stacks";

const execFileAsync = promisify(execFile);

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await execFileAsync(command, args, { cwd, encoding: "utf8", maxBuffer: 1 << 24 })).stdout;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/**
 * Packs, unpacks and compiles in child processes as soon as this file loads, so that the slow part (tsc, twice) runs
 * beside the in-process tests of the other files; the tests below await it.
 */
async function packAndCompile(dir: string) {
  const tarball = path.join(dir, (await run("npm", ["pack", "--silent", "--pack-destination", dir], ROOT)).trim().split("\n").pop()!);
  const files = (await run("tar", ["-tzf", tarball], dir)).trim().split("\n");
  const app = path.join(dir, "app");
  cpSync(path.join(ROOT, "examples/typescript"), app, { recursive: true });
  const modules = path.join(app, "node_modules");
  mkdirSync(path.join(modules, "eks-irsa"), { recursive: true });
  for (const entry of readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry !== "eks-irsa" && entry !== ".bin" && !entry.startsWith(".")) symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
  await run("tar", ["-xzf", tarball, "-C", path.join(modules, "eks-irsa"), "--strip-components=1"], dir);
  await run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", app], app);
  return { files, app, modules };
}

const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-pack-"));
const built = packAndCompile(dir);
// Awaited by the tests; a failure is reported there, not as an unhandled rejection while other files run.
built.catch(() => undefined);

/**
 * The package as a user gets it: `npm pack` (which builds the JavaScript and declarations), the tarball unpacked into
 * a consumer program's node_modules (its dependencies are this repository's, as npm would dedupe them to one copy),
 * the TypeScript example compiled with tsc against the declarations, and run under the SDK's mocks.
 */
describe("package: the npm tarball in a consumer program (examples/typescript)", () => {
  let consumer: OfflineRun;
  let imported: OfflineRun;
  let files: string[];

  before(async function () {
    this.timeout(180_000);
    const { app, modules, files: listed } = await built;
    files = listed;
    imported = await runOffline("import", { "aws:region": "us-east-1" }, async () => {
      const library = (await import(pathToFileURL(path.join(modules, "eks-irsa/bin/components/index.js")).href)) as Record<string, unknown>;
      assert.deepEqual(["ClusterOidcProvider", "ExternalSecretsOperator", "TargetAccount", "WorkloadIdentity"].filter((c) => typeof library[c] !== "function"), []);
    });
    consumer = await runOffline("consumer", { "aws:region": "us-east-1" }, () => import(pathToFileURL(path.join(app, "bin/index.js")).href));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("holds the compiled package and its sources, and no tests, stacks, tools or bench", () => {
    for (const f of ["package/bin/components/index.js", "package/bin/components/index.d.ts", "package/components/index.ts", "package/PulumiPlugin.yaml"]) assert.ok(files.includes(f), f);
    assert.deepEqual(files.filter((f) => /^package\/(test|stacks|tools|bench|policy|config|examples)\//.test(f)), []);
  });

  it("registers nothing when imported; the example registers its three components", () => {
    assert.deepEqual(imported.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
    const resources = consumer.resources.filter((r) => r.type.startsWith("eks-irsa:")).map((r) => r.name).sort();
    assert.deepEqual(resources, ["metrics-exporter", "orders", "shop"]);
  });

  it("gives orders the role, trust, documents and annotated ServiceAccount the config-driven program gives the same workload", async () => {
    const config = {
      "aws:region": "us-east-1",
      "eks-irsa:cluster": { name: "shop", create: {}, createNamespaces: false },
      "eks-irsa:workloads": [
        {
          name: "orders",
          namespace: "shop",
          s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read-write" }],
          dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"] }],
          secrets: [{ name: "shop/orders/db" }],
        },
      ],
    };
    const viaConfig = await runOffline("consumer", config, program);
    const of = (r: OfflineRun, type: string, name: string) => r.resources.find((x) => x.type === type && x.name === name)?.inputs;
    for (const [type, name] of [["aws:iam/role:Role", "orders"], ["aws:iam/rolePolicy:RolePolicy", "orders-access"], ["kubernetes:core/v1:ServiceAccount", "orders"]]) {
      assert.ok(of(consumer, type, name), `${type} ${name}`);
      assert.deepEqual(of(consumer, type, name), of(viaConfig, type, name), `${type} ${name}`);
    }
    const trust = parsePolicy(of(consumer, "aws:iam/role:Role", "orders")!.assumeRolePolicy);
    const issuer = String(consumer.resources.find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")!.inputs.url).replace("https://", "");
    const provider = `arn:aws:iam::111122223333:oidc-provider/${issuer}`;
    assert.equal(evaluateTrust(trust, webIdentityRequest(provider, issuer, { sub: "system:serviceaccount:shop:orders", aud: "sts.amazonaws.com" })), "Allowed");
    assert.equal(evaluateTrust(trust, webIdentityRequest(provider, issuer, { sub: "system:serviceaccount:shop:default", aud: "sts.amazonaws.com" })), "ImplicitlyDenied");
  });

  it("creates no ServiceAccount without a Kubernetes provider, and exports the annotations a chart needs", () => {
    const sas = consumer.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.name);
    assert.deepEqual(sas, ["orders"]);
    assert.deepEqual(consumer.outputs.exporterAnnotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/shop-metrics-exporter",
      "eks.amazonaws.com/sts-regional-endpoints": "true",
    });
  });
});
