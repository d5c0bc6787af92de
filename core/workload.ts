/**
 * One workload's identity at the user's level: its arguments (what the public `WorkloadIdentity` component takes,
 * minus the AWS-side Inputs), the checks those arguments must pass, and the definition the core plans from them.
 */
import { parseArn } from "./arn";
import { ACCESS_LEVELS, SECRET_READ, type AccessSpec, type DynamoGrant, type S3Grant, type SecretGrant } from "./access";
import { Checker, validRegion } from "./check";
import { checkPreset, PRESETS, presetGlobalServices, type AddonPreset } from "./presets";
import { SERVICE_ACCOUNT_MODES, type ServiceAccountMode } from "./serviceAccount";
import { checkServiceGrants, type KmsGrant, type SnsGrant, type SqsGrant } from "./serviceGrants";
import { checkStatements, type CustomStatement } from "./statements";
import { SOURCE_PROFILE } from "./crossAccount";
import type { IdentityDefinition } from "./identity";
import { LIMITS } from "./layout";
import { boundedName, CLUSTER_TAG, KIND_TAG, PRESET_TAG, RESERVED_TAGS, SHARED_BINDING_TAG, TARGET_TAG, WORKLOAD_TAG, type IdentityKind } from "./plan";
import type { FieldPath, Problem } from "./problems";
import { RULES } from "./rules";
import { isPattern } from "./trust";
import { globMatch } from "./trustEval";
import { abacValue, checkPodIdentityArgs, IdentityMode, usesIrsa, usesPodIdentity } from "./podIdentity";

/** A role in another account the workload chains to (`sts:AssumeRole`), and the AWS profile its pods select it by. */
export interface ChainedRole {
  /** ARN of the role in the other account; it must trust this workload's role (see `TargetAccount`). */
  roleArn: string;
  /** Profile name in the workload's AWS config file (`AWS_PROFILE`), e.g. `analytics-datalake-reader`. */
  profile: string;
}

/** A cluster a workload runs on, when it runs on several (blue/green). */
export interface WorkloadCluster {
  /** Name of the EKS cluster (in the role's account and region): Pod Identity associates the role there. */
  name: string;
}

/** How an identity's IAM role is named, limited and checked: shared by workloads, the ESO controller and target accounts. */
export interface RoleInput {
  /** Name of the EKS cluster: prefixes the role name and is recorded in the `eks-irsa:cluster` tag. @default none */
  clusterName?: string;
  /** Physical name of the role. @default `<clusterName>-<name>` (or the component's name), cut to 64 characters with a hash */
  roleName?: string;
  /** IAM path of the role and its policies. @default "/" */
  path?: string;
  /**
   * Description of the role. @default "IRSA role of <namespace>/<serviceAccount> on EKS cluster <clusterName>" ("EKS Pod
   * Identity role of ..." in mode pod-identity; a preset's add-on title before the ServiceAccount; without clusterName, no cluster)
   */
  description?: string;
  /** ARN of a managed policy that bounds the role's permissions. @default none */
  permissionsBoundaryArn?: string;
  /** Longest session the role allows, in seconds (3600-43200). @default 3600 */
  maxSessionDurationSeconds?: number;
  /** Tags of the role and its policies (eks-irsa adds its own `eks-irsa:*` tags). @default {} */
  tags?: Record<string, string>;
  /** Deny every request to a region not listed (`aws:RequestedRegion`). @default no region guardrail */
  allowedRegions?: string[];
  /** Deny every request not sent over TLS (`aws:SecureTransport`). @default true */
  requireSecureTransport?: boolean;
  /** `eks.amazonaws.com/token-expiration` of the ServiceAccount, in seconds (600-86400). @default the webhook's 86400 */
  tokenExpirationSeconds?: number;
  /** `eks.amazonaws.com/sts-regional-endpoints: "true"` on the ServiceAccount. @default true */
  stsRegionalEndpoints?: boolean;
  /**
   * The region of the cluster and of every regional ARN. @default the AWS provider's region, read at deployment;
   * give it to check sizes and partitions exactly before anything is deployed
   */
  region?: string;
  /** The account's trust policy quota in characters (2048-4096): a longer trust fails before deployment. @default 2048 */
  trustPolicyQuota?: number;
  /** Managed policies allowed per role (1-20): more needed fails before deployment. @default 10 */
  managedPolicyQuota?: number;
}

/** Who a workload is in Kubernetes and what AWS access its role grants. */
export interface WorkloadIdentityInput extends RoleInput {
  /** Kubernetes namespace of the ServiceAccount. @default the chart's namespace of a `preset` (required without one) */
  namespace?: string;
  /**
   * ServiceAccount name, or a pattern with `*` that binds every matching ServiceAccount of the namespace (a
   * pattern is never created). @default the ServiceAccount of a `preset`'s chart, else the component's name
   */
  serviceAccount?: string;
  /**
   * Create the ServiceAccount, annotated with the role. Needs a Kubernetes provider in the resource options
   * (`providers`). Kept for existing programs: true means `serviceAccountMode: created`, false `external`.
   * @default true when a Kubernetes provider is given, `serviceAccount` is an exact name and there is no `preset`
   */
  createServiceAccount?: boolean;
  /**
   * Who owns the ServiceAccount: `created` (eks-irsa creates it), `annotated` (it exists, made by a Helm chart or an
   * operator: eks-irsa patches in the role annotation by server-side apply and owns nothing else; needs a Kubernetes
   * provider) or `external` (nothing in Kubernetes: set `serviceAccountAnnotations` through the chart's values).
   * @default `createServiceAccount`'s meaning when given; else external for a pattern or a preset, created with a Kubernetes provider
   */
  serviceAccountMode?: ServiceAccountMode;
  /** An add-on's permissions (aws-load-balancer-controller, ebs-csi, external-dns...), following its upstream policy; see docs/presets.md. @default none */
  preset?: AddonPreset;
  /** SQS access: send to, receive from, or both, on queues of the account and region. @default none */
  sqs?: SqsGrant[];
  /** SNS access: publish to topics of the account and region. @default none */
  sns?: SnsGrant[];
  /** Direct use of KMS keys: encrypt, decrypt or both, optionally only through one service. @default none */
  kms?: KmsGrant[];
  /** Custom Allow statements for what no typed grant covers, checked against the AWS service catalog. @default none */
  statements?: CustomStatement[];
  /** S3 access: objects of a bucket, under a prefix or the whole bucket. @default none */
  s3?: S3Grant[];
  /** DynamoDB access: tables of the account and region, with their indexes and streams when asked. @default none */
  dynamodb?: DynamoGrant[];
  /** Secrets Manager read access: one secret by name or a path by prefix. @default none */
  secrets?: SecretGrant[];
  /**
   * Roles in other accounts this workload may chain to (`sts:AssumeRole` on exactly these ARNs); each gets a
   * profile in the AWS config file the component writes to a ConfigMap `<name>-aws-config` (with a Kubernetes
   * provider; the file is the `awsConfig` output either way). @default none
   */
  chainedRoles?: ChainedRole[];
  /**
   * How the pods get the role: `irsa` (annotated ServiceAccount, OIDC trust), `pod-identity` (an EKS Pod Identity
   * association per cluster, `pods.eks.amazonaws.com` trust) or `both` (the migration step: IRSA wins while the
   * annotation exists). @default "irsa"
   */
  mode?: IdentityMode;
  /** Pod Identity: the associations set no session tags; the trust then pins the cluster by `aws:SourceArn` only. @default false */
  disableSessionTags?: boolean;
  /** The pods run on AWS Fargate, where Pod Identity does not work: only mode irsa is accepted. @default false */
  fargate?: boolean;
  /**
   * Pod Identity ABAC: the ServiceAccount of the same name in each of these namespaces shares the role (one association
   * each); `{namespace}` and `{cluster}` in an S3 prefix or a secret name or prefix resolve per association. @default none
   */
  sharedNamespaces?: string[];
  /** Pod Identity cross-account: the associations name this role of another account; EKS chains to it and pods get its credentials. @default none */
  targetRoleArn?: string;
  /** The clusters the workload runs on, when several trust one role (blue/green). @default the cluster `clusterName` */
  clusters?: WorkloadCluster[];
}

/** What the ESO component and the stacks decide for an identity that a user cannot (its kind and exact access). */
export interface IdentityOverrides {
  kind?: IdentityKind;
  /** Names the role (`<clusterName>-<label>`) and its `eks-irsa:workload` tag instead of the component's name. */
  label?: string;
  /** Replaces the access built from `s3`, `dynamodb`, `secrets` and `chainedRoles`. */
  access?: AccessSpec;
  /** The fields that raise the quotas, as the caller names them. */
  quotaFields?: IdentityDefinition["quotaFields"];
  /** Accounts custom statements may name besides the AWS provider's: those the stack config allows (`aws:allowedAccountIds`). */
  statementAccounts?: string[];
}

export const ROLE_INPUT_KEYS = [
  "clusterName", "roleName", "path", "description", "permissionsBoundaryArn", "maxSessionDurationSeconds", "tags", "allowedRegions",
  "requireSecureTransport", "tokenExpirationSeconds", "stsRegionalEndpoints", "region", "trustPolicyQuota", "managedPolicyQuota",
] as const satisfies readonly (keyof RoleInput)[];

export const WORKLOAD_INPUT_KEYS = [
  ...ROLE_INPUT_KEYS, "namespace", "serviceAccount", "createServiceAccount", "s3", "dynamodb", "secrets", "chainedRoles",
  "serviceAccountMode", "preset", "sqs", "sns", "kms", "statements",
  "mode", "disableSessionTags", "fargate", "sharedNamespaces", "targetRoleArn", "clusters",
] as const satisfies readonly (keyof WorkloadIdentityInput)[];

/** Checks S3, DynamoDB and Secrets Manager grants (shared by workloads, the ESO controller and target roles). */
export function checkGrants(c: Checker, at: FieldPath, grants: { s3?: unknown; dynamodb?: unknown; secrets?: unknown }): void {
  c.list<Record<string, unknown>>([...at, "s3"], grants.s3, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["bucket", "prefix", "access", "kmsKeyArn"]);
    c.name([...p, "bucket"], g.bucket, RULES.s3Bucket, true);
    c.name([...p, "prefix"], g.prefix, RULES.s3Prefix);
    c.oneOf([...p, "access"], g.access, ACCESS_LEVELS, "access level");
    c.arn([...p, "kmsKeyArn"], g.kmsKeyArn, "kmsKey");
  });
  c.list<Record<string, unknown>>([...at, "dynamodb"], grants.dynamodb, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["table", "access", "indexes", "allIndexes", "streams"]);
    c.name([...p, "table"], g.table, RULES.dynamoTable, true);
    c.oneOf([...p, "access"], g.access, ACCESS_LEVELS, "access level");
    c.list<unknown>([...p, "indexes"], g.indexes, (index, q) => c.name(q, index, RULES.dynamoIndex, true));
    c.bool([...p, "allIndexes"], g.allIndexes);
    c.bool([...p, "streams"], g.streams);
    if (g.allIndexes === true && Array.isArray(g.indexes) && g.indexes.length > 0) c.add(p, "give indexes (names) or allIndexes, not both");
    if (g.access === "write" && (g.allIndexes === true || (Array.isArray(g.indexes) && g.indexes.length > 0) || g.streams === true)) {
      c.add(p, "indexes and streams are read grants: use access read or read-write with them");
    }
  });
  c.list<Record<string, unknown>>([...at, "secrets"], grants.secrets, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["name", "prefix", "exactPrefix", "kmsKeyArn"]);
    if ((g.name === undefined) === (g.prefix === undefined)) c.add(p, "give exactly one of name (one secret) or prefix (a path of secrets)");
    c.name([...p, "name"], g.name, RULES.secretName);
    if (c.name([...p, "prefix"], g.prefix, RULES.secretPrefix) && g.exactPrefix !== true && !SECRET_DELIMITERS.includes((g.prefix as string).slice(-1))) {
      const prefix = g.prefix as string;
      c.add([...p, "prefix"], `${JSON.stringify(prefix)} does not end at a delimiter, so it also grants ${JSON.stringify(`${prefix}-old`)} and ${JSON.stringify(`${prefix}x/...`)}: end it with '/' (a path), or set exactPrefix: true to grant every name that starts with it`);
    }
    c.bool([...p, "exactPrefix"], g.exactPrefix);
    c.arn([...p, "kmsKeyArn"], g.kmsKeyArn, "kmsKey");
  });
}

/** Namespaces where a ServiceAccount pattern binds far more than one workload (the pack flags them at advisory level too). */
export const RISKY_NAMESPACES = ["default", "kube-system"];

/**
 * Valid grants that are easy to regret, warned in the plan and by the components: the pack flags the first two at
 * advisory level too (workload-access-risky).
 */
export function riskyGrants(who: string, input: { namespace?: string; serviceAccount?: string; s3?: S3Grant[]; statements?: readonly CustomStatement[]; allowedRegions?: readonly string[] }): string[] {
  const out: string[] = [];
  if (input.namespace && input.serviceAccount && isPattern(input.serviceAccount) && RISKY_NAMESPACES.includes(input.namespace)) {
    out.push(
      `${who} binds the pattern ${JSON.stringify(input.serviceAccount)} in namespace ${input.namespace}, where ServiceAccounts of unrelated ` +
        `workloads and controllers live: name the ServiceAccount, or give the workload a namespace of its own`,
    );
  }
  for (const g of input.s3 ?? []) {
    if (g.access !== "read" && (g.prefix === undefined || g.prefix === "")) {
      out.push(`${who} may ${g.access === "write" ? "write" : "read and write"} every object of bucket ${g.bucket} (no prefix): give a prefix unless the bucket is this workload's alone`);
    }
  }
  // iam:PassRole lets the pod hand the named roles to any service that takes one (an EC2 instance, a Lambda function,
  // an ECS task) and act through it; iam:PassedToService limits it to the service meant.
  (input.statements ?? []).forEach((st, i) => {
    const passing = st.actions.filter((a) => globMatch(a, "iam:PassRole", true));
    if (passing.length === 0 || (st.conditions ?? []).some((c) => c.key.toLowerCase() === "iam:passedtoservice")) return;
    out.push(
      `${who} statements[${i}] may pass ${st.resources.join(", ")} to any AWS service (${passing.join(", ")} without an iam:PassedToService condition): ` +
        `add one naming the service the role is for (e.g. StringEquals iam:PassedToService ec2.amazonaws.com)`,
    );
  });
  // A resource of a region the guardrail denies is reachable only from an allowed region (a cross-region copy's source).
  const regions = input.allowedRegions ?? [];
  (input.statements ?? []).forEach((st, i) =>
    st.resources.forEach((r, j) => {
      const region = parseArn(r)?.region;
      if (regions.length > 0 && region && !/[*?]/.test(region) && !regions.includes(region)) {
        out.push(`${who} statements[${i}].resources[${j}] is in region ${region}, outside allowedRegions (${regions.join(", ")}): the region guardrail denies every request made in that region; only calls from an allowed region (a cross-region copy's source) can use it`);
      }
    }),
  );
  return out;
}

/** Where a secret name prefix may end without reaching into names it did not mean. */
export const SECRET_DELIMITERS = ["/", "-", "_", "."];

/** Checks tags and their count with eks-irsa's own (AWS allows 50 per role). */
export function checkTags(c: Checker, path: FieldPath, tags: unknown, alsoCounted: Record<string, string> = {}): void {
  if (!c.object(path, tags)) return;
  for (const [k, v] of Object.entries(tags)) {
    c.name([...path, k], k, RULES.tagKey);
    c.name([...path, k], v, RULES.tagValue, true);
  }
  const reserved = [...RESERVED_TAGS, TARGET_TAG];
  const count = new Set([...Object.keys(alsoCounted), ...Object.keys(tags), ...reserved]).size;
  if (count > LIMITS.tagsPerRole) {
    c.add(path, `the role would carry ${count} tags (these and ${reserved.length} of eks-irsa's), over AWS's ${LIMITS.tagsPerRole} per role`);
  }
}

/** The role-level arguments every identity has (name, path, boundary, session, quotas, guardrails). */
export function checkRoleArgs(c: Checker, input: Partial<Record<string, unknown>>): void {
  c.name(["clusterName"], input.clusterName, RULES.clusterName);
  c.name(["roleName"], input.roleName, RULES.roleName);
  c.name(["path"], input.path, RULES.iamPath);
  if (input.description !== undefined && (typeof input.description !== "string" || input.description.length > 1000)) {
    c.add(["description"], "expected a string of at most 1000 characters");
  }
  c.arn(["permissionsBoundaryArn"], input.permissionsBoundaryArn, "managedPolicy");
  c.int(["maxSessionDurationSeconds"], input.maxSessionDurationSeconds, 3600, 43200);
  c.bool(["requireSecureTransport"], input.requireSecureTransport);
  c.name(["region"], input.region, RULES.region);
  if (c.list<unknown>(["allowedRegions"], input.allowedRegions, (r, p) => c.name(p, r, RULES.region, true))) {
    const regions = input.allowedRegions as unknown[];
    if (regions.length === 0) c.add(["allowedRegions"], "must list at least one region (leave it out for no region guardrail)");
    else if (typeof input.region === "string" && !regions.includes(input.region)) {
      c.add(["allowedRegions"], `must include the role's region ${input.region}: the guardrail would deny every request of the role`);
    }
  }
  c.int(["trustPolicyQuota"], input.trustPolicyQuota, LIMITS.trustPolicyCharsDefault, LIMITS.trustPolicyCharsMax);
  c.int(["managedPolicyQuota"], input.managedPolicyQuota, 1, LIMITS.managedPoliciesPerRoleMax);
  c.int(["tokenExpirationSeconds"], input.tokenExpirationSeconds, 600, 86400);
  c.bool(["stsRegionalEndpoints"], input.stsRegionalEndpoints);
  if (input.tags !== undefined) checkTags(c, ["tags"], input.tags);
}

/** Every problem of a workload's arguments, with the field path of each. */
export function workloadProblems(name: string, input: WorkloadIdentityInput, overrides: IdentityOverrides = {}): Problem[] {
  const c = new Checker(validRegion((input as { region?: unknown } | undefined)?.region));
  const raw = input as unknown as Record<string, unknown>;
  if (!c.object([], raw)) return c.problems;
  c.known([], raw, [...WORKLOAD_INPUT_KEYS, "oidcProvider"]);
  const chart = chartServiceAccountOf(input);
  c.name(["namespace"], input.namespace, RULES.namespace, chart === undefined);
  const sa = input.serviceAccount ?? chart?.name ?? name;
  if (input.serviceAccount === undefined) {
    if (!chart && !RULES.serviceAccount.test(name)) c.add(["serviceAccount"], `defaults to the name ${JSON.stringify(name)}, which is not a valid ${RULES.serviceAccount.what}: give serviceAccount`);
  } else if (c.name(["serviceAccount"], input.serviceAccount, RULES.serviceAccountPattern) && !isPattern(sa)) {
    c.name(["serviceAccount"], sa, RULES.serviceAccount);
  }
  if (c.bool(["createServiceAccount"], input.createServiceAccount) && input.createServiceAccount && typeof sa === "string" && isPattern(sa)) {
    c.add(["createServiceAccount"], `cannot be true for the pattern ${JSON.stringify(sa)}: a pattern binds ServiceAccounts, it does not name one`);
  }
  if (input.serviceAccountMode !== undefined && c.oneOf(["serviceAccountMode"], input.serviceAccountMode, SERVICE_ACCOUNT_MODES, "ServiceAccount mode")) {
    const mode = input.serviceAccountMode;
    if (typeof input.createServiceAccount === "boolean" && input.createServiceAccount !== (mode === "created")) {
      c.add(["serviceAccountMode"], `${mode} contradicts createServiceAccount: ${input.createServiceAccount} (true means created, false external): give one of them`);
    }
    if (mode !== "external" && typeof sa === "string" && isPattern(sa)) {
      c.add(["serviceAccountMode"], `cannot be ${mode} for the pattern ${JSON.stringify(sa)}: a pattern binds ServiceAccounts, it does not name one (use external)`);
    }
    if (mode === "annotated" && input.mode === "pod-identity") {
      c.add(["serviceAccountMode"], "annotated patches the role annotation in, but mode pod-identity uses none (its association names the role): use external, or mode both");
    }
  }
  checkGrants(c, [], checkPodIdentityArgs(c, name, input));
  checkServiceGrants(c, [], input);
  checkStatements(c, ["statements"], input.statements, { region: validRegion((input as { region?: unknown }).region), allowedRegions: input.allowedRegions });
  checkPreset(c, ["preset"], input.preset, input.clusterName);
  const global = chart ? presetGlobalServices(input.preset!.name) : [];
  if (global.length > 0 && Array.isArray(input.allowedRegions) && !input.allowedRegions.includes("us-east-1")) {
    c.add(["preset"], `${input.preset!.name} calls ${global.join(", ")}, whose requests count as us-east-1: allowedRegions must include us-east-1 or the region guardrail denies them`);
  }
  const profiles = new Map<string, number>();
  c.list<Record<string, unknown>>(["chainedRoles"], input.chainedRoles, (r, p) => {
    if (!c.object(p, r)) return;
    c.known(p, r, ["roleArn", "profile"]);
    if (r.roleArn === undefined) c.add([...p, "roleArn"], "is required");
    c.arn([...p, "roleArn"], r.roleArn, "role");
    if (c.name([...p, "profile"], r.profile, RULES.profileName, true)) {
      const profile = r.profile as string;
      if (profile === SOURCE_PROFILE) c.add([...p, "profile"], `${JSON.stringify(SOURCE_PROFILE)} is the profile of the workload's own role`);
      const other = profiles.get(profile);
      if (other !== undefined) c.add([...p, "profile"], `profile ${JSON.stringify(profile)} is also chainedRoles[${other}]'s`);
      else profiles.set(profile, p[p.length - 1] as number);
    }
  });
  checkRoleArgs(c, raw);
  if (chart && input.tags !== undefined && typeof input.tags === "object") {
    // The preset's tag is one more of eks-irsa's: the user's tags and eks-irsa's must still fit AWS's 50.
    const count = new Set([...Object.keys(input.tags), ...RESERVED_TAGS, TARGET_TAG, PRESET_TAG]).size;
    if (count > LIMITS.tagsPerRole && !c.problems.some((p) => p.path[0] === "tags")) c.add(["tags"], `the role would carry ${count} tags (these and eks-irsa's), over AWS's ${LIMITS.tagsPerRole} per role`);
  }
  const roleName = defaultRoleName(overrides.label ?? name, input.clusterName);
  if (input.roleName === undefined && !RULES.roleName.test(roleName)) {
    c.add(["roleName"], `defaults to ${JSON.stringify(roleName)}, which is not a valid ${RULES.roleName.what}: give roleName`);
  }
  return c.problems;
}

export function defaultRoleName(name: string, clusterName: string | undefined): string {
  return boundedName(clusterName ? `${clusterName}-${name}` : name, LIMITS.roleNameChars);
}

/** The ServiceAccount a valid preset's chart creates, when the workload has one. */
export function chartServiceAccountOf(input: Pick<WorkloadIdentityInput, "preset">): { namespace: string; name: string } | undefined {
  const preset = input.preset as { name?: unknown } | undefined;
  const def = typeof preset?.name === "string" ? (PRESETS as Record<string, (typeof PRESETS)[keyof typeof PRESETS] | undefined>)[preset.name] : undefined;
  return def?.serviceAccount;
}

/** The ServiceAccount a workload binds: the given one, else its preset chart's, else the workload's name. */
export function serviceAccountOf(name: string, input: Pick<WorkloadIdentityInput, "serviceAccount" | "preset">): string {
  return input.serviceAccount ?? chartServiceAccountOf(input)?.name ?? name;
}

/** The namespace of a workload's ServiceAccount: the given one, else its preset chart's. */
export function namespaceOf(input: Pick<WorkloadIdentityInput, "namespace" | "preset">): string {
  return input.namespace ?? chartServiceAccountOf(input)?.namespace ?? "";
}

/** The access a workload's arguments grant. */
export function workloadAccess(input: WorkloadIdentityInput): AccessSpec {
  // A Pod Identity target role is assumed by EKS with the workload's role: it needs AssumeRole (and TagSession to pass tags on).
  const target = input.targetRoleArn !== undefined ? [input.targetRoleArn] : [];
  const assumeRoles = [...(input.chainedRoles ?? []).map((r) => r.roleArn), ...target];
  // A shared (ABAC) role: the placeholders become the session-tag variables each association's session resolves.
  const abac = (input.sharedNamespaces ?? []).length > 0;
  const variables = <T extends { prefix?: string; name?: string }>(g: T): T =>
    abac ? { ...g, ...(g.prefix !== undefined ? { prefix: abacValue(g.prefix) } : {}), ...(g.name !== undefined ? { name: abacValue(g.name) } : {}) } : g;
  return {
    s3: abac ? input.s3?.map(variables) : input.s3,
    dynamodb: input.dynamodb,
    secrets: abac ? input.secrets?.map(variables) : input.secrets,
    secretActions: SECRET_READ,
    ...(assumeRoles.length > 0 ? { assumeRoles } : {}),
    ...(target.length > 0 && input.disableSessionTags !== true ? { tagSessionRoles: target } : {}),
    ...(input.sqs ? { sqs: input.sqs } : {}),
    ...(input.sns ? { sns: input.sns } : {}),
    ...(input.kms ? { kms: input.kms } : {}),
    ...(input.preset ? { preset: { preset: input.preset, clusterName: input.clusterName } } : {}),
    ...(input.statements ? { statements: input.statements } : {}),
  };
}

/** The definition the core plans a workload's identity from: every default applied. */
export function workloadDefinition(name: string, input: WorkloadIdentityInput, overrides: IdentityOverrides = {}): IdentityDefinition {
  const sa = serviceAccountOf(name, input);
  const pattern = isPattern(sa);
  const label = overrides.label ?? name;
  const mode = input.mode ?? IdentityMode.Irsa;
  const serviceAccounts = [{ namespace: namespaceOf(input), name: sa }];
  const shared = input.sharedNamespaces ?? [];
  return {
    roleName: input.roleName ?? defaultRoleName(label, input.clusterName),
    path: input.path ?? "/",
    trust: usesPodIdentity(mode)
      ? {
          kind: "pod-identity",
          podIdentity: { namespaces: [namespaceOf(input), ...shared], serviceAccount: sa, sessionTags: input.disableSessionTags !== true },
          ...(usesIrsa(mode) ? { webIdentity: { serviceAccounts } } : {}),
        }
      : { kind: "web-identity", serviceAccounts },
    access: overrides.access ?? workloadAccess(input),
    guardrails: { secureTransport: input.requireSecureTransport ?? true, requestedRegions: input.allowedRegions },
    tags: {
      ...input.tags,
      ...(input.clusterName ? { [CLUSTER_TAG]: input.clusterName } : {}),
      [WORKLOAD_TAG]: label,
      [KIND_TAG]: overrides.kind ?? "workload",
      ...(pattern ? { [SHARED_BINDING_TAG]: "pattern" } : {}),
      ...(shared.length > 0 ? { [SHARED_BINDING_TAG]: "abac" } : {}),
      ...(input.preset ? { [PRESET_TAG]: input.preset.name } : {}),
    },
    annotations: { stsRegionalEndpoints: input.stsRegionalEndpoints ?? true, tokenExpirationSeconds: input.tokenExpirationSeconds },
    quotas: { trustPolicy: input.trustPolicyQuota ?? LIMITS.trustPolicyCharsDefault, managedPolicies: input.managedPolicyQuota ?? LIMITS.managedPoliciesPerRoleDefault },
    quotaFields: overrides.quotaFields ?? { trustPolicy: "trustPolicyQuota", managedPolicies: "managedPolicyQuota" },
  };
}

/** The role's description when none is given. */
export function workloadDescription(name: string, input: WorkloadIdentityInput, kind: IdentityKind = "workload"): string {
  const who = `${namespaceOf(input)}/${serviceAccountOf(name, input)}`;
  const cluster = input.clusterName ? ` on EKS cluster ${input.clusterName}` : "";
  if (kind === "eso-controller") return `IRSA role of the External Secrets Operator (${who})${cluster}`;
  const what = input.preset ? `${PRESETS[input.preset.name].title} (${who})` : who;
  if (input.mode === IdentityMode.PodIdentity) {
    const shared = (input.sharedNamespaces ?? []).length;
    return `EKS Pod Identity role of ${what}${shared > 0 ? ` and ${shared} more namespace${shared === 1 ? "" : "s"} (ABAC)` : ""}${cluster}`;
  }
  return `IRSA role of ${what}${cluster}`;
}
