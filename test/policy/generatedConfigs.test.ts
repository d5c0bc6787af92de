/**
 * The pack's false positives on valid configs: generated stack configs (only keys of the README's config
 * reference), each run through the real program offline and checked with every rule, must draw no mandatory
 * finding; the advisory rule must flag exactly the risky grants each config declares.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { syntheticConfig } from "../../bench/synthetic";
import { checkResources } from "../../tools/policyCheck";
import { runStack } from "../helpers/stacks";

const SEED = 20261111;
const CONFIGS = 36;
const ACCOUNT = "123456789012";
const TARGET_ACCOUNT = "210987654321";
const RISKY_NAMESPACES = ["default", "kube-system"];

type Access = "read" | "write" | "read-write";
interface S3Grant {
  bucket: string;
  prefix?: string;
  access: Access;
  kmsKeyArn?: string;
}
interface Workload {
  name: string;
  namespace?: string;
  serviceAccount?: string;
  s3?: S3Grant[];
  dynamodb?: { table: string; access: Access; indexes?: true | string[]; streams?: boolean }[];
  secrets?: ({ name: string } | { prefix: string })[];
  tags?: Record<string, string>;
  maxSessionDurationSeconds?: number;
  tokenExpirationSeconds?: number;
  sqs?: { queue: string; access: "send" | "receive" | "send-receive"; kmsKeyArn?: string }[];
  sns?: { topic: string; kmsKeyArn?: string }[];
  kms?: { keyArn: string; access: "encrypt" | "decrypt" | "encrypt-decrypt"; viaService?: string }[];
  statements?: { actions: string[]; resources: string[]; conditions?: { operator: string; key: string; values: string[] }[] }[];
  preset?: Record<string, unknown>;
}
interface TargetRole {
  name: string;
  workloads: string[];
  s3?: S3Grant[];
}

const REGIONS = [
  { region: "us-east-1", partition: "aws", dns: "amazonaws.com" },
  { region: "eu-west-1", partition: "aws", dns: "amazonaws.com" },
  { region: "us-gov-west-1", partition: "aws-us-gov", dns: "amazonaws.com" },
  { region: "cn-north-1", partition: "aws-cn", dns: "amazonaws.com.cn" },
];

/**
 * Bucket names as people write them: letters and dashes only (which the old any-resource check took for a
 * resource type), or with dots and digits.
 */
const bucket = fc.oneof(
  fc.tuple(fc.constantFrom("orion", "acme", "media"), fc.array(fc.stringMatching(/^[a-z]{1,7}$/), { minLength: 1, maxLength: 3 })).map(([head, rest]) => [head, ...rest].join("-")),
  fc
    .tuple(fc.constantFrom("my", "logs", "data"), fc.array(fc.tuple(fc.constantFrom("-", "."), fc.stringMatching(/^[a-z0-9]{1,7}$/)), { minLength: 1, maxLength: 4 }))
    .map(([head, rest]) => head + rest.map(([sep, label]) => sep + label).join("")),
);
const keyPrefix = fc
  .tuple(fc.array(fc.stringMatching(/^[A-Za-z0-9_.=-]{1,8}$/), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([parts, slash]) => parts.join("/") + (slash ? "/" : ""))
  .filter((p) => !/(^|\/)\.{1,2}(\/|$)/.test(p));
const access = fc.constantFrom<Access>("read", "write", "read-write");
const dynamoName = fc.stringMatching(/^[A-Za-z0-9_.-]{3,24}$/);
const secretName = fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,32}$/);

function kmsKey(partition: string, region: string) {
  return fc.uuid({ version: 4 }).map((id) => `arn:${partition}:kms:${region}:${ACCOUNT}:key/${id}`);
}

function s3Grant(partition: string, region: string) {
  return fc.record({ bucket, prefix: keyPrefix, access, kmsKeyArn: kmsKey(partition, region) }, { requiredKeys: ["bucket", "access"] });
}

/** Custom statements a user would write, valid in any partition: named resources, a verb prefix, a condition, a "*"-only action. */
function customStatements(name: string, partition: string, region: string) {
  return fc.subarray([
    { actions: ["ssm:GetParameter", "ssm:GetParametersByPath"], resources: [`arn:${partition}:ssm:${region}:${ACCOUNT}:parameter/app/${name}/*`] },
    { actions: ["sqs:Get*"], resources: [`arn:${partition}:sqs:${region}:${ACCOUNT}:${name}-jobs`] },
    { actions: ["ec2:DescribeInstances"], resources: ["*"] },
    { actions: ["ses:SendEmail"], resources: [`arn:${partition}:ses:${region}:${ACCOUNT}:identity/example.com`], conditions: [{ operator: "StringEquals", key: "ses:FromAddress", values: ["noreply@example.com"] }] },
  ]);
}

/**
 * An add-on preset with valid inputs. A region guardrail outside us-east-1 rules out the presets that call global
 * services (Route 53, IAM): the config refuses them.
 */
function addonPreset(partition: string, region: string, guarded: boolean) {
  const zone = fc.stringMatching(/^Z[0-9A-Z]{12,20}$/);
  const vpc = fc.stringMatching(/^vpc-[0-9a-f]{17}$/);
  const regional = [
    fc.record({ name: fc.constant("ebs-csi"), kmsKeyArns: fc.array(kmsKey(partition, region), { minLength: 1, maxLength: 2 }), clusterScoped: fc.boolean() }, { requiredKeys: ["name"] }),
    fc.record({ name: fc.constant("efs-csi"), fileSystemIds: fc.array(fc.stringMatching(/^fs-[0-9a-f]{8}$/), { minLength: 1, maxLength: 2 }) }),
    fc.record({ name: fc.constant("cluster-autoscaler") }),
    fc.record({ name: fc.constant("vpc-cni"), vpcId: vpc }),
    fc.record({ name: fc.constant("velero"), bucket, prefix: keyPrefix, kmsKeyArns: fc.array(kmsKey(partition, region), { minLength: 1, maxLength: 1 }) }, { requiredKeys: ["name", "bucket", "prefix"] }),
  ];
  const global = [
    fc.record({ name: fc.constant("aws-load-balancer-controller"), vpcId: vpc }),
    fc.record({ name: fc.constant("external-dns"), hostedZoneIds: fc.uniqueArray(zone, { minLength: 1, maxLength: 2 }), domainFilters: fc.constant(["*.example.com"]) }, { requiredKeys: ["name", "hostedZoneIds"] }),
    fc.record({ name: fc.constant("cert-manager"), hostedZoneIds: fc.uniqueArray(zone, { minLength: 1, maxLength: 2 }) }),
  ];
  return fc.oneof(...regional, ...(guarded && region !== "us-east-1" ? [] : global));
}

function workload(index: number, partition: string, region: string) {
  const name = `w${index}`;
  return fc
    .record(
      {
        namespace: fc.constantFrom(...RISKY_NAMESPACES, "web", "data-pipeline", "team-a", "reporting"),
        serviceAccount: fc.constantFrom(`${name}-sa`, "*", "job-*", "report-*"),
        s3: fc.array(s3Grant(partition, region), { maxLength: 3 }),
        dynamodb: fc.array(
          fc.oneof(
            fc.record({ table: dynamoName, access: fc.constant<Access>("write") }),
            fc.record(
              { table: dynamoName, access: fc.constantFrom<Access>("read", "read-write"), indexes: fc.oneof(fc.constant<true>(true), fc.array(dynamoName, { minLength: 1, maxLength: 3 })), streams: fc.boolean() },
              { requiredKeys: ["table", "access"] },
            ),
          ),
          { maxLength: 2 },
        ),
        secrets: fc.array(fc.oneof(secretName.map((n) => ({ name: n })), secretName.map((p) => ({ prefix: `${p}/` }))), { maxLength: 2 }),
        secretKms: fc.option(kmsKey(partition, region), { nil: undefined }),
        tags: fc.constant({ team: `team-${index}` }),
        maxSessionDurationSeconds: fc.integer({ min: 3600, max: 43200 }),
        tokenExpirationSeconds: fc.integer({ min: 600, max: 86400 }),
        sqs: fc.array(fc.record({ queue: fc.constantFrom(`${name}-events`, `${name}.fifo`), access: fc.constantFrom<"send" | "receive" | "send-receive">("send", "receive", "send-receive"), kmsKeyArn: kmsKey(partition, region) }, { requiredKeys: ["queue", "access"] }), { maxLength: 1 }),
        sns: fc.array(fc.record({ topic: fc.constant(`${name}-notices`), kmsKeyArn: kmsKey(partition, region) }, { requiredKeys: ["topic"] }), { maxLength: 1 }),
        kms: fc.array(fc.record({ keyArn: kmsKey(partition, region), access: fc.constantFrom<"encrypt" | "decrypt" | "encrypt-decrypt">("encrypt", "decrypt", "encrypt-decrypt"), viaService: fc.constantFrom("s3", "sqs") }, { requiredKeys: ["keyArn", "access"] }), { maxLength: 1 }),
        statements: customStatements(name, partition, region),
      },
      { requiredKeys: ["namespace", "s3", "dynamodb", "secrets"] },
    )
    .map(({ secretKms, ...w }): Workload => {
      const out: Workload = { name, ...w, secrets: w.secrets.map((s, i) => (i === 0 && secretKms ? { ...s, kmsKeyArn: secretKms } : s)) };
      if (!out.s3!.length && !out.dynamodb!.length && !out.secrets!.length) out.s3 = [{ bucket: `${name}-scratch`, access: "read-write" }];
      for (const k of ["s3", "dynamodb", "secrets", "sqs", "sns", "kms", "statements"] as const) if (out[k] !== undefined && !out[k]!.length) delete out[k];
      return out;
    });
}

/** A valid stack config, and the risky grants it declares (`pattern <identity>`, `write <identity>`). */
const stackConfig = fc
  .tuple(fc.constantFrom(...REGIONS), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean())
  .chain(([{ region, partition, dns }, count, create, eso, crossAccount, addon]) =>
    fc.record({
      region: fc.constant(region),
      partition: fc.constant(partition),
      dns: fc.constant(dns),
      create: fc.constant(create),
      workloads: fc.tuple(...Array.from({ length: count }, (_, i) => workload(i, partition, region))),
      roleDefaults: fc.record(
        {
          path: fc.constantFrom("/", "/eks-irsa/", "/teams/data/"),
          requireSecureTransport: fc.boolean(),
          allowedRegions: fc.constant([region]),
          permissionsBoundaryArn: fc.constant(`arn:${partition}:iam::${ACCOUNT}:policy/eks-workload-boundary`),
          tags: fc.constant({ environment: "generated" }),
        },
        { requiredKeys: [] },
      ),
      serviceAccountDefaults: fc.record({ stsRegionalEndpoints: fc.boolean(), tokenExpirationSeconds: fc.integer({ min: 600, max: 86400 }) }, { requiredKeys: [] }),
      externalSecrets: eso ? fc.record({ prefix: secretName.map((p) => `${p}/`), findByPath: fc.boolean() }).map((e) => e) : fc.constant(undefined),
      targetRole: crossAccount ? fc.record({ name: fc.constantFrom("lake-reader", "archive-writer"), s3: fc.array(s3Grant(partition, region), { minLength: 1, maxLength: 2 }) }) : fc.constant(undefined),
      // The roleDefaults above always set allowedRegions to the stack's region.
      preset: addon ? addonPreset(partition, region, true) : fc.constant(undefined),
    }),
  )
  .map((g) => {
    const issuerHost = `oidc.eks.${g.region}.${g.dns}/id/0123456789ABCDEF0123456789ABCDEF`;
    const config: Record<string, unknown> = {
      "aws:region": g.region,
      "aws:allowedAccountIds": [ACCOUNT],
      "eks-irsa:cluster": g.create
        ? { name: "generated", create: { version: "1.33" }, protectOidcProvider: false }
        : { name: "generated", oidcIssuerUrl: `https://${issuerHost}`, oidcProviderArn: `arn:${g.partition}:iam::${ACCOUNT}:oidc-provider/${issuerHost}` },
      "eks-irsa:roleDefaults": g.roleDefaults,
      "eks-irsa:serviceAccountDefaults": g.serviceAccountDefaults,
      "eks-irsa:workloads": g.preset ? [...g.workloads, { name: "addon", preset: g.preset }] : g.workloads,
    };
    if (g.externalSecrets) {
      config["eks-irsa:externalSecrets"] = { secrets: [{ prefix: g.externalSecrets.prefix }], clusterSecretStore: { findByPath: g.externalSecrets.findByPath } };
    }
    const targetRole: TargetRole | undefined = g.targetRole && { ...g.targetRole, workloads: [g.workloads[0].name] };
    if (targetRole) {
      config["eks-irsa:crossAccount"] = [
        { name: "analytics", accountId: TARGET_ACCOUNT, deployRoleArn: `arn:${g.partition}:iam::${TARGET_ACCOUNT}:role/eks-irsa-deployer`, mode: "chained", roles: [targetRole] },
      ];
    }
    const wholeBucketWrite = (grants: S3Grant[] | undefined) => (grants ?? []).some((s) => s.access !== "read" && s.prefix === undefined);
    const risky = [
      ...g.workloads.filter((w) => w.serviceAccount?.includes("*") && RISKY_NAMESPACES.includes(w.namespace!)).map((w) => `pattern ${w.name}`),
      ...g.workloads.filter((w) => wholeBucketWrite(w.s3)).map((w) => `write ${w.name}`),
      ...(targetRole && wholeBucketWrite(targetRole.s3) ? [`write analytics/${targetRole.workloads.join(".")}`] : []),
    ];
    return { config, risky: [...new Set(risky)].sort() };
  });

const generated = fc.sample(stackConfig, { seed: SEED, numRuns: CONFIGS });

/** `pattern|write <identity>` of an advisory finding, the identity read from the eks-irsa tags of the resource. */
function flagged(label: string, message: string, resources: { type: string; name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[]): string {
  const found = resources.find((x) => `${x.type}::${x.name}` === label)!;
  // An inline policy carries no tags: its role does.
  const r = found.type === "aws:iam/rolePolicy:RolePolicy" ? resources.find((x) => x.type === "aws:iam/role:Role" && x.outputs.name === found.inputs.role)! : found;
  const tags = (r.inputs.tags ?? {}) as Record<string, string>;
  const identity = tags["eks-irsa:target"] ? `${tags["eks-irsa:target"]}/${tags["eks-irsa:workload"]}` : tags["eks-irsa:workload"];
  return `${message.startsWith("trust statement") ? "pattern" : "write"} ${identity}`;
}

describe(`policy pack: no mandatory finding on ${CONFIGS} generated valid configs (fast-check seed ${SEED})`, () => {
  it("the sample covers what the pack must not confuse with any-resource, and the risky cases", () => {
    const all = generated.map((g) => g.config);
    const grants = all.flatMap((c) => (c["eks-irsa:workloads"] as Workload[]).flatMap((w) => w.s3 ?? []));
    const workloads = all.flatMap((c) => c["eks-irsa:workloads"] as Workload[]);
    assert.ok(grants.some((s) => s.prefix === undefined && s.access !== "read"), "a whole-bucket write");
    assert.ok(grants.some((s) => s.prefix === undefined && s.access === "read"), "a whole-bucket read");
    assert.ok(grants.some((s) => /^[a-z-]+$/.test(s.bucket) && s.prefix === undefined && s.access !== "read"), "a whole-bucket write to a bucket of letters and dashes");
    assert.ok(grants.some((s) => /[0-9]/.test(s.bucket) && /\./.test(s.bucket) && s.prefix === undefined), "a bucket with digits and dots, no prefix");
    assert.ok(grants.some((s) => s.kmsKeyArn), "an S3 KMS key");
    assert.ok(workloads.some((w) => w.dynamodb?.some((d) => d.indexes === true)) && workloads.some((w) => w.dynamodb?.some((d) => Array.isArray(d.indexes))), "dynamodb indexes");
    assert.ok(workloads.some((w) => w.dynamodb?.some((d) => d.streams)), "dynamodb streams");
    assert.ok(workloads.some((w) => w.secrets?.some((s) => "name" in s)) && workloads.some((w) => w.secrets?.some((s) => "prefix" in s)), "secrets by name and by prefix");
    assert.ok(workloads.some((w) => w.serviceAccount === "*" && RISKY_NAMESPACES.includes(w.namespace!)), "a namespace-wide pattern in default or kube-system");
    assert.ok(workloads.some((w) => w.sqs) && workloads.some((w) => w.sns) && workloads.some((w) => w.kms?.some((k) => k.viaService)), "SQS, SNS and KMS grants");
    assert.ok(workloads.some((w) => w.statements?.some((x) => x.conditions)) && workloads.some((w) => w.statements?.some((x) => x.resources[0] === "*")), "custom statements, with a condition and on \"*\"");
    const presets = new Set(workloads.flatMap((w) => (w.preset ? [String(w.preset.name)] : [])));
    assert.ok(presets.size >= 5, `presets: ${[...presets].join(", ")}`);
    assert.ok(all.some((c) => c["eks-irsa:crossAccount"]) && all.some((c) => c["eks-irsa:externalSecrets"]), "cross-account and ESO");
    assert.ok(new Set(all.map((c) => c["aws:region"])).size === REGIONS.length, "every partition");
  });

  generated.forEach(({ config, risky }, i) => {
    const workloads = config["eks-irsa:workloads"] as Workload[];
    it(`config ${i} (${config["aws:region"]}, ${workloads.length} workload${workloads.length > 1 ? "s" : ""}${risky.length ? `; risky: ${risky.join(", ")}` : ""})`, async () => {
      const run = await runStack(`generated-${i}`, config);
      const findings = await checkResources(run.resources);
      const show = () => `${JSON.stringify(config, null, 1)}\n${findings.map((f) => `[${f.level}] ${f.rule} ${f.resource}: ${f.message}`).join("\n")}`;
      assert.deepEqual(findings.filter((f) => f.level === "mandatory"), [], show());
      assert.deepEqual(findings.map((f) => f.rule).filter((r) => r !== "workload-access-risky"), [], show());
      assert.deepEqual([...new Set(findings.map((f) => flagged(f.resource, f.message, run.resources)))].sort(), risky, show());
    });
  });

  it("the benchmark's synthetic environment (40 workloads) draws no finding", async () => {
    const run = await runStack("synthetic", syntheticConfig(40));
    assert.deepEqual(await checkResources(run.resources), []);
  });
});

/**
 * The same configs in EKS Pod Identity's modes: each workload of a region with Pod Identity in mode irsa, both or
 * pod-identity (a pattern becomes its exact ServiceAccount there), some with session tags off or shared by ABAC
 * (`{namespace}` prefixes), a second (blue/green) cluster, and the cross-account target reached through an
 * association's targetRoleArn. None may draw a mandatory finding either.
 */
const podIdentityConfig = stackConfig.chain(({ config }) => {
  const region = config["aws:region"] as string;
  const partition = (REGIONS.find((r) => r.region === region) ?? REGIONS[0]).partition;
  const workloads = config["eks-irsa:workloads"] as Workload[];
  const modes = partition === "aws-cn" ? fc.constant("irsa") : fc.constantFrom("irsa", "both", "pod-identity");
  return fc.record({
    config: fc.constant(config),
    modes: fc.tuple(...workloads.map(() => fc.record({ mode: modes, tagsOff: fc.boolean(), abac: fc.boolean() }))),
    greenCluster: fc.boolean(),
    podTarget: fc.boolean(),
  });
}).map(({ config, modes, greenCluster, podTarget }) => {
  const region = config["aws:region"] as string;
  const dns = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const partition = (REGIONS.find((r) => r.region === region) ?? REGIONS[0]).partition;
  const out: Record<string, unknown> = { ...config };
  const target = config["eks-irsa:crossAccount"] as { mode: string; roles: TargetRole[] }[] | undefined;
  const viaPod = podTarget && partition !== "aws-cn" && target !== undefined;
  const workloads = (config["eks-irsa:workloads"] as Workload[]).map((w, i) => {
    let { mode } = modes[i];
    if (viaPod && i === 0) mode = "pod-identity";
    if (mode === "irsa") return w;
    const pod: Record<string, unknown> = { ...w, mode, serviceAccount: `${w.name}-sa` };
    // ABAC: a role shared by two more namespaces, its prefixes keyed on the namespace (mode pod-identity, tags on).
    if (mode === "pod-identity" && modes[i].abac && !(viaPod && i === 0)) {
      pod.sharedNamespaces = ["team-x", "team-y"];
      pod.s3 = [{ bucket: `${w.name}-tenants`, prefix: "tenants/{namespace}/", access: "read-write" }];
      pod.secrets = [{ prefix: "tenants/{namespace}/" }];
    } else if (modes[i].tagsOff) pod.disableSessionTags = true;
    return pod;
  });
  out["eks-irsa:workloads"] = workloads;
  const cluster = config["eks-irsa:cluster"] as Record<string, unknown>;
  if (greenCluster) {
    const host = `oidc.eks.${region}.${dns}/id/FEDCBA9876543210FEDCBA9876543210`;
    out["eks-irsa:cluster"] = { ...cluster, additionalClusters: [{ name: "generated-green", oidcIssuerUrl: `https://${host}`, oidcProviderArn: `arn:${partition}:iam::${ACCOUNT}:oidc-provider/${host}` }] };
  }
  if (viaPod) out["eks-irsa:crossAccount"] = target!.map((t) => ({ ...t, mode: "pod-identity" }));
  // Risky grants as the base config declares them, less the patterns that became exact ServiceAccounts.
  const wholeBucketWrite = (grants: S3Grant[] | undefined) => (grants ?? []).some((s) => s.access !== "read" && s.prefix === undefined);
  const risky = [
    ...(workloads as Workload[]).filter((w) => w.serviceAccount?.includes("*") && RISKY_NAMESPACES.includes(w.namespace!)).map((w) => `pattern ${w.name}`),
    ...(workloads as Workload[]).filter((w) => wholeBucketWrite(w.s3)).map((w) => `write ${w.name}`),
    ...(target && wholeBucketWrite(target[0].roles[0].s3) ? [`write analytics/${target[0].roles[0].workloads.join(".")}`] : []),
  ];
  return { config: out, risky: [...new Set(risky)].sort() };
});

const POD_SEED = 20261129;
const POD_CONFIGS = 16;
const podGenerated = fc.sample(podIdentityConfig, { seed: POD_SEED, numRuns: POD_CONFIGS });

describe(`policy pack: no mandatory finding on ${POD_CONFIGS} generated configs in Pod Identity's modes (fast-check seed ${POD_SEED})`, () => {
  it("the sample covers each mode, tags off, ABAC, two clusters and a Pod Identity target", () => {
    const workloads = podGenerated.flatMap((g) => g.config["eks-irsa:workloads"] as Record<string, unknown>[]);
    for (const mode of ["both", "pod-identity"]) assert.ok(workloads.some((w) => w.mode === mode), mode);
    assert.ok(workloads.some((w) => w.mode === undefined), "irsa");
    assert.ok(workloads.some((w) => w.disableSessionTags) && workloads.some((w) => w.sharedNamespaces), "tags off and ABAC");
    assert.ok(podGenerated.some((g) => (g.config["eks-irsa:cluster"] as { additionalClusters?: unknown }).additionalClusters), "two clusters");
    assert.ok(podGenerated.some((g) => (g.config["eks-irsa:crossAccount"] as { mode: string }[] | undefined)?.[0]?.mode === "pod-identity"), "a Pod Identity target");
  });

  podGenerated.forEach(({ config, risky }, i) => {
    const modes = [...new Set((config["eks-irsa:workloads"] as { mode?: string }[]).map((w) => w.mode ?? "irsa"))].join(", ");
    it(`config ${i} (${config["aws:region"]}: ${modes}${risky.length ? `; risky: ${risky.join(", ")}` : ""})`, async () => {
      const run = await runStack(`generated-pod-${i}`, config);
      const findings = await checkResources(run.resources);
      const show = () => `${JSON.stringify(config, null, 1)}\n${findings.map((f) => `[${f.level}] ${f.rule} ${f.resource}: ${f.message}`).join("\n")}`;
      assert.deepEqual(findings.filter((f) => f.level === "mandatory"), [], show());
      assert.deepEqual(findings.map((f) => f.rule).filter((r) => r !== "workload-access-risky"), [], show());
      assert.deepEqual([...new Set(findings.map((f) => flagged(f.resource, f.message, run.resources)))].sort(), risky, show());
    });
  });
});
