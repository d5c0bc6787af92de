import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import * as library from "../../components";
import { WorkloadIdentity, type WorkloadIdentityArgs } from "../../components";
import { ROOT, runOffline, type OfflineRun } from "../../tools/offline";

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  plain?: boolean;
  optional?: boolean;
}
interface ObjectSchema {
  properties?: Record<string, Property>;
  inputProperties?: Record<string, Property>;
  required?: string[];
  requiredInputs?: string[];
  enum?: { value: string }[];
  type?: string;
}
interface Schema {
  name: string;
  resources: Record<string, ObjectSchema>;
  types: Record<string, ObjectSchema>;
}

const SNAPSHOT = path.join(__dirname, "../fixtures/schema.json");
const provider = new ComponentProvider({ components: getPulumiComponents(library), dirname: ROOT, name: "eks-irsa" });

/** What another language sends for the issue's `orders` workload: plain JSON. */
const ORDERS = {
  oidcProvider: { arn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7", issuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7" },
  namespace: "shop",
  serviceAccount: "orders",
  s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read-write" }],
  dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"] }],
  secrets: [{ name: "shop/orders/db" }],
};

/** The role, its policies and its ServiceAccount as registered, keyed by type. */
function identity(run: OfflineRun) {
  const pick = (type: string) => run.resources.filter((r) => r.type === type).map((r) => r.inputs);
  return { roles: pick("aws:iam/role:Role"), policies: [...pick("aws:iam/rolePolicy:RolePolicy"), ...pick("aws:iam/policy:Policy")], serviceAccounts: pick("kubernetes:core/v1:ServiceAccount") };
}

describe("package: the multi-language schema (Pulumi's own component analyzer)", () => {
  let schema: Schema;
  before(async function () {
    this.timeout(120_000);
    schema = JSON.parse(await provider.getSchema()) as Schema;
  });

  it("accepts every exported component, each under eks-irsa:index:<Component>", () => {
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      "eks-irsa:index:AuditAlarm",
      "eks-irsa:index:ClusterOidcProvider",
      "eks-irsa:index:ExternalSecretsOperator",
      "eks-irsa:index:TargetAccount",
      "eks-irsa:index:WorkloadIdentity",
    ]);
    for (const token of Object.keys(schema.resources)) assert.doesNotThrow(() => ComponentProvider.validateResourceType("eks-irsa", token));
  });

  it("lists each component's inputs and outputs as the snapshot does (UPDATE_SCHEMA=1 rewrites it)", () => {
    const text = `${JSON.stringify(schema, null, 1)}\n`;
    if (process.env.UPDATE_SCHEMA === "1") writeFileSync(SNAPSHOT, text);
    assert.equal(text, readFileSync(SNAPSHOT, "utf8"), "the public API changed: review test/fixtures/schema.json (UPDATE_SCHEMA=1)");
  });

  it("keeps the user's vocabulary: WorkloadIdentity takes oidcProvider, namespace, grants, a preset; documents every input", () => {
    const wi = schema.resources["eks-irsa:index:WorkloadIdentity"];
    // Neither is required by the schema: the namespace defaults to a preset chart's, and oidcProvider is required in
    // modes irsa and both only (Pod Identity needs none); the constructor checks both.
    assert.deepEqual(wi.requiredInputs ?? [], []);
    for (const key of ["oidcProvider", "mode", "disableSessionTags", "fargate", "sharedNamespaces", "targetRoleArn", "clusters"]) assert.ok(wi.inputProperties![key], key);
    assert.deepEqual(schema.types["eks-irsa:index:IdentityMode"].enum!.map((e) => e.value), ["irsa", "pod-identity", "both"]);
    for (const key of [
      "namespace", "s3", "dynamodb", "secrets", "roleName", "path", "permissionsBoundaryArn", "maxSessionDurationSeconds", "tags", "allowedRegions", "tokenExpirationSeconds",
      "createServiceAccount", "serviceAccountMode", "preset", "sqs", "sns", "kms", "statements",
    ]) {
      assert.ok(wi.inputProperties![key], key);
    }
    for (const key of ["roleArn", "roleName", "serviceAccountAnnotations", "trustPolicy", "permissionPolicies", "serviceAccountMode", "verification"]) assert.ok(wi.properties![key], key);
    assert.deepEqual(schema.types["eks-irsa:index:AccessLevel"].enum!.map((e) => e.value), ["read", "write", "read-write"]);
    assert.deepEqual(schema.types["eks-irsa:index:ServiceAccountMode"].enum!.map((e) => e.value), ["created", "annotated", "external"]);
    assert.deepEqual(schema.types["eks-irsa:index:AddonPresetName"].enum!.map((e) => e.value), [
      "aws-load-balancer-controller", "ebs-csi", "efs-csi", "external-dns", "cert-manager", "cluster-autoscaler", "vpc-cni", "velero",
    ]);
    const documented = (owner: string, props: Record<string, Property> | undefined) => {
      for (const [name, p] of Object.entries(props ?? {})) assert.ok((p as { description?: string }).description, `${owner}.${name} has no doc line`);
    };
    for (const [token, resource] of Object.entries(schema.resources)) documented(token, { ...resource.inputProperties, ...resource.properties });
    for (const [token, type] of Object.entries(schema.types)) documented(token, type.properties);
  });

  it("every argument of a public type has a doc comment where it is declared, every optional one its @default", () => {
    const files = ["core/workload.ts", "core/access.ts", "core/eso.ts", "core/targetRole.ts", ...readdirSync(path.join(ROOT, "components")).map((f) => `components/${f}`)].map((f) => path.join(ROOT, f));
    // The argument types other languages see, the components' Args and the interfaces they extend.
    const names = new Set(Object.keys(schema.types).map((t) => t.split(":").pop()!));
    const missing: string[] = [];
    // Declarations are syntax: each file is parsed alone, without the types it imports.
    const sources = files.filter((f) => f.endsWith(".ts")).map((f) => ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true));
    const interfaces = sources.flatMap((sf) => sf.statements.filter(ts.isInterfaceDeclaration).map((node) => ({ sf, node })));
    // ... and the types the package entry exports.
    const exported = [...readFileSync(path.join(ROOT, "components/index.ts"), "utf8").matchAll(/\btype (\w+)/g)].map((m) => m[1]);
    const publicOnes = new Set([...names, ...exported]);
    for (const { sf, node } of interfaces.filter(({ node }) => publicOnes.has(node.name.text))) {
      for (const clause of node.heritageClauses ?? []) for (const t of clause.types) publicOnes.add(t.expression.getText(sf));
    }
    for (const { sf, node } of interfaces.filter(({ node }) => publicOnes.has(node.name.text))) {
      for (const m of node.members.filter(ts.isPropertySignature)) {
        const doc = (ts.getLeadingCommentRanges(sf.text, m.pos) ?? []).map((r) => sf.text.slice(r.pos, r.end)).join(" ");
        const field = `${node.name.text}.${m.name.getText(sf)}`;
        if (!doc.startsWith("/**")) missing.push(`${field}: no doc comment`);
        else if (m.questionToken && !doc.includes("@default")) missing.push(`${field}: no @default`);
      }
    }
    assert.ok(publicOnes.has("RoleInput") && publicOnes.has("WorkloadIdentityArgs") && publicOnes.size > 20, [...publicOnes].join(" "));
    assert.deepEqual(missing, []);
  });

  it("construct() from plain JSON inputs registers the same role, documents and ServiceAccount as the TypeScript path", async () => {
    const config = { "aws:region": "us-east-1" };
    const viaJson = await runOffline("construct", config, async () => {
      await provider.construct("orders", "eks-irsa:index:WorkloadIdentity", JSON.parse(JSON.stringify(ORDERS)), {});
    });
    const viaTs = await runOffline("typescript", config, () => {
      new WorkloadIdentity("orders", ORDERS as WorkloadIdentityArgs);
    });
    assert.deepEqual(identity(viaJson), identity(viaTs));
    const [role] = identity(viaJson).roles;
    assert.equal(role.name, "orders");
    assert.match(String(role.assumeRolePolicy), /"oidc\.eks\.us-east-1\.amazonaws\.com\/id\/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7:sub":"system:serviceaccount:shop:orders"/);
    assert.match(String(identity(viaJson).policies[0].policy), /arn:aws:s3:::shop-invoices\/2026\/\*/);
  });

  it("construct() refuses bad JSON inputs with one error naming each field", async () => {
    await assert.rejects(
      runOffline("construct-bad", { "aws:region": "us-east-1" }, async () => {
        await provider.construct("orders", "eks-irsa:index:WorkloadIdentity", { ...ORDERS, namespace: "Shop", s3: [{ bucket: "x", access: "all" }], tag: {} }, {});
      }),
      (e: Error) =>
        /^WorkloadIdentity "orders": 4 problems:/.test(e.message) &&
        e.message.includes('namespace: "Shop" is not a valid Kubernetes namespace') &&
        e.message.includes('s3[0].bucket: "x" is not a valid S3 bucket name') &&
        e.message.includes('s3[0].access: "all" is not a known access level (read, write or read-write)') &&
        e.message.includes("tag: unknown argument"),
    );
  });

  it("the YAML example uses only types, inputs and outputs the schema has, with every required input", () => {
    const program = parseYaml(readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8")) as {
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    const check = (value: unknown, p: Property, at: string) => {
      if (typeof value === "string" && value.startsWith("${")) return; // an interpolation, typed by Pulumi YAML
      if (p.$ref) {
        const t = schema.types[p.$ref.replace("#/types/", "")];
        assert.ok(t, `${at}: unknown type ${p.$ref}`);
        if (t.enum) return assert.ok(t.enum.some((e) => e.value === value), `${at}: ${String(value)} is not one of the enum's values`);
        return checkObject(value as Record<string, unknown>, t.properties ?? {}, t.required ?? [], at);
      }
      if (p.type === "array") return (value as unknown[]).forEach((v, i) => check(v, p.items!, `${at}[${i}]`));
      if (p.type === "object") return;
      assert.equal(typeof value, p.type === "integer" ? "number" : p.type, at);
    };
    const checkObject = (value: Record<string, unknown>, props: Record<string, Property>, required: string[], at: string) => {
      for (const r of required) assert.ok(r in value, `${at}.${r} is required`);
      for (const [k, v] of Object.entries(value)) {
        assert.ok(props[k], `${at}.${k} is not an input of the schema`);
        check(v, props[k], `${at}.${k}`);
      }
    };
    const used = new Set<string>();
    for (const [name, r] of Object.entries(program.resources)) {
      const token = r.type.split(":").length === 2 ? r.type.replace(":", ":index:") : r.type;
      const resource = schema.resources[token];
      assert.ok(resource, `${name}: ${r.type} is not in the schema`);
      used.add(token);
      checkObject(r.properties, resource.inputProperties ?? {}, resource.requiredInputs ?? [], name);
    }
    for (const [out, expr] of Object.entries(program.outputs)) {
      const [resource, property] = expr.replace(/^\$\{|\}$/g, "").split(".");
      const token = program.resources[resource].type;
      assert.ok(schema.resources[token].properties![property], `output ${out}: ${token} has no output ${property}`);
    }
    assert.deepEqual([...used].sort(), ["eks-irsa:index:ClusterOidcProvider", "eks-irsa:index:WorkloadIdentity"]);
  });
});
