/**
 * The stack config contract (`eks-irsa:*` keys) as a zod schema. Shapes and single-value rules live here;
 * rules that span several values (duplicates, ARNs that must agree) are in `validate.ts`.
 */
import { z } from "zod";
import { ACCESS_LEVELS } from "../core/access";
import { abacSample, IDENTITY_MODES } from "../core/podIdentity";
import { ARN_KINDS, type ArnKindName } from "../core/arn";
import { quoted } from "../core/problems";
import { RULES, type NameRule } from "../core/rules";


/** A string the rule accepts; `sample` first turns what the rule does not know (ABAC placeholders) into a plain value. */
export function named(rule: NameRule, sample: (value: string) => string = (v) => v) {
  return z.string().check((ctx) => {
    if (!rule.test(sample(ctx.value))) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${rule.what}` });
    }
  });
}

export function arnOf(kind: ArnKindName) {
  return z.string().check((ctx) => {
    if (!ARN_KINDS[kind].pattern.test(ctx.value)) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${ARN_KINDS[kind].what}` });
    }
  });
}

function httpsUrlOf(what: string) {
  return z.string().check((ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(ctx.value);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== "https:" || url.username) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${what} (https://...)` });
    }
  });
}

const httpsUrl = z.string().check((ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(ctx.value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.search || url.hash || url.username) {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `${quoted(ctx.value)} is not a valid OIDC issuer URL (must be https://host[/path], with no query or fragment)`,
    });
  }
});

const access = z.enum(ACCESS_LEVELS, {
  error: (iss) => `${quoted(iss.input)} is not a known access level (read, write or read-write)`,
});

const tags = z.record(named(RULES.tagKey), named(RULES.tagValue));

const identityMode = z.enum(IDENTITY_MODES, { error: (iss) => `${quoted(iss.input)} is not an identity mode (irsa, pod-identity or both)` });

export const s3GrantSchema = z.strictObject({
  bucket: named(RULES.s3Bucket),
  prefix: named(RULES.s3Prefix).optional(),
  access,
  kmsKeyArn: arnOf("kmsKey").optional(),
});

export const dynamoGrantSchema = z.strictObject({
  table: named(RULES.dynamoTable),
  access,
  indexes: z.union([z.literal(true), z.array(named(RULES.dynamoIndex)).min(1)]).optional(),
  streams: z.boolean().optional(),
});

export const secretGrantSchema = z.strictObject({
  /** A workload sharing its role by ABAC may write {namespace} and {cluster} in name and prefix (checked per workload). */
  name: named(RULES.secretName, abacSample).optional(),
  prefix: named(RULES.secretPrefix, abacSample).optional(),
  /** Grant the prefix as written even when it does not end at a delimiter ('/', '-', '_', '.'). */
  exactPrefix: z.boolean().optional(),
  kmsKeyArn: arnOf("kmsKey").optional(),
});

const remoteRefSchema = z.strictObject({
  /** The secret's name in Secrets Manager (not its ARN). */
  key: named(RULES.secretName),
  /** A JSON key of the secret's value. */
  property: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  metadataPolicy: z.enum(["None", "Fetch"], { error: (iss) => `${quoted(iss.input)} is not a metadata policy (None or Fetch)` }).optional(),
});

export const externalSecretSchema = z.strictObject({
  name: named(RULES.k8sName),
  /** `cluster` (the ClusterSecretStore, the controller's role; default) or `workload` (a SecretStore using this workload's role). */
  store: z.enum(["cluster", "workload"], { error: (iss) => `${quoted(iss.input)} is not a store (cluster or workload)` }).optional(),
  refreshInterval: named(RULES.duration).optional(),
  target: z
    .strictObject({
      name: named(RULES.k8sName).optional(),
      creationPolicy: z.enum(["Owner", "Orphan", "Merge", "None"], { error: (iss) => `${quoted(iss.input)} is not a creation policy (Owner, Orphan, Merge or None)` }).optional(),
    })
    .optional(),
  data: z.array(z.strictObject({ secretKey: named(RULES.secretDataKey), remoteRef: remoteRefSchema })).optional(),
  /** Each item: exactly one of `extract` (one secret's JSON keys) or `find` (secrets under a path whose names match). */
  dataFrom: z
    .array(
      z.strictObject({
        extract: remoteRefSchema.optional(),
        // ESO's AWS provider finds by name or by tags, within the path; eks-irsa supports name (a regexp).
        find: z.strictObject({ path: named(RULES.secretPrefix), name: z.strictObject({ regexp: z.string().min(1) }) }).optional(),
      }),
    )
    .optional(),
});

export const externalSecretsSchema = z.strictObject({
  namespace: named(RULES.namespace).optional(),
  serviceAccount: named(RULES.serviceAccount).optional(),
  /** `reader` (default): the role is bound to a pod-less ServiceAccount the ClusterSecretStore authenticates as; `controller`: to the controller's own. */
  identity: z.enum(["reader", "controller"], { error: (iss) => `${quoted(iss.input)} is not an ESO identity mode (reader or controller)` }).optional(),
  readerServiceAccount: named(RULES.serviceAccount).optional(),
  chart: z.strictObject({ version: named(RULES.semver).optional(), repository: httpsUrlOf("Helm repository URL").optional() }).optional(),
  clusterSecretStore: z
    .strictObject({
      name: named(RULES.k8sName).optional(),
      /** Grants the controller ListSecrets and BatchGetSecretValue on "*" for dataFrom.find. */
      findByPath: z.boolean().optional(),
      /** Namespaces served besides those of the configured ExternalSecrets. */
      namespaces: z.array(named(RULES.namespace)).optional(),
    })
    .optional(),
  /** What the controller may read for the ClusterSecretStore. */
  secrets: z.array(secretGrantSchema).optional(),
  tags: tags.optional(),
});

export const targetRoleSchema = z.strictObject({
  name: named(RULES.roleLabel),
  /** Source workloads (names in eks-irsa:workloads) that may use this role. */
  workloads: z.array(named(RULES.workloadName)).min(1),
  s3: z.array(s3GrantSchema).optional(),
  dynamodb: z.array(dynamoGrantSchema).optional(),
  secrets: z.array(secretGrantSchema).optional(),
  tags: tags.optional(),
  maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
});

export const targetAccountSchema = z.strictObject({
  name: named(RULES.roleLabel),
  accountId: z.string().check((ctx) => {
    if (!RULES.accountId.test(ctx.value)) ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${RULES.accountId.what}` });
  }),
  deployRoleArn: arnOf("role"),
  /** A read-only role the provider assumes during `pulumi preview` instead of the deploy role. */
  previewRoleArn: arnOf("role").optional(),
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, { error: () => "is not a valid external id (2-1224 characters: letters, digits and +=,.@:/-)" }).optional(),
  /** `chained`, `oidc` or `pod-identity` (the source workloads' associations name the target role; they must be in mode pod-identity). */
  mode: z.enum(["chained", "oidc", "pod-identity"], { error: (iss) => `${quoted(iss.input)} is not a cross-account mode (chained, oidc or pod-identity)` }),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  permissionsBoundaryArn: arnOf("managedPolicy").optional(),
  roles: z.array(targetRoleSchema).min(1),
});

export const workloadSchema = z.strictObject({
  /** Unique in the stack; names the role `<cluster>-<name>`. */
  name: named(RULES.workloadName),
  namespace: named(RULES.namespace),
  /** Defaults to `name`; a pattern with `*` binds every matching ServiceAccount of the namespace. */
  serviceAccount: named(RULES.serviceAccountPattern).optional(),
  /** Defaults to true for an exact name; must not be true for a pattern. */
  createServiceAccount: z.boolean().optional(),
  s3: z.array(s3GrantSchema).optional(),
  dynamodb: z.array(dynamoGrantSchema).optional(),
  secrets: z.array(secretGrantSchema).optional(),
  tags: tags.optional(),
  maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
  tokenExpirationSeconds: z.number().int().min(600).max(86400).optional(),
  /** ExternalSecrets created in the workload's namespace (needs eks-irsa:externalSecrets). */
  externalSecrets: z.array(externalSecretSchema).optional(),
  /** `irsa`, `pod-identity` or `both` (the migration step); default: roleDefaults.mode, else irsa. */
  mode: identityMode.optional(),
  /** Pod Identity: the associations set no session tags (the trust pins the cluster by aws:SourceArn only); default false. */
  disableSessionTags: z.boolean().optional(),
  /** The pods run on Fargate, where only IRSA works; default: cluster.fargate, else false. */
  fargate: z.boolean().optional(),
  /** Pod Identity ABAC: the same ServiceAccount in these namespaces shares the role; {namespace} in a grant resolves per namespace; default none. */
  sharedNamespaces: z.array(named(RULES.namespace)).min(1).optional(),
  /** Names of the clusters (cluster.name, cluster.additionalClusters[].name) the workload runs on; default all of them. */
  clusters: z.array(named(RULES.clusterName)).min(1).optional(),
});

/** A cluster the stack creates with @pulumi/eks. */
const clusterCreateSchema = z.strictObject({
  version: z.string().regex(/^1\.\d{2}$/, { error: (iss) => `${quoted(iss.input)} is not a Kubernetes minor version like "1.33"` }).optional(),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: (iss) => `${quoted(iss.input)} is not an EC2 instance type like "t3.medium"` }).optional(),
  desiredCapacity: z.number().int().min(0).max(450).optional(),
  minSize: z.number().int().min(0).max(450).optional(),
  maxSize: z.number().int().min(1).max(450).optional(),
  /** A Fargate profile for the namespaces of the workloads marked fargate (the node group stays); default false. */
  fargateProfile: z.boolean().optional(),
});

/** A further cluster of the stack (blue/green): adopted by issuer and provider ARN, or created. */
export const additionalClusterSchema = z.strictObject({
  /** Name of the EKS cluster (same account and region as the stack's); required. */
  name: named(RULES.clusterName),
  /** Create the cluster with @pulumi/eks (as cluster.create); default: the cluster exists already. */
  create: clusterCreateSchema.optional(),
  /** Its OIDC issuer URL (IRSA); default: read with eks:DescribeCluster, or from oidcProviderArn. */
  oidcIssuerUrl: httpsUrl.optional(),
  /** Adopt its existing IAM OIDC provider; default: one is created where a workload there uses IRSA. */
  oidcProviderArn: arnOf("oidcProvider").optional(),
  /** Kubeconfig (JSON or YAML text) for an existing cluster; default: one built from the cluster's endpoint. */
  kubeconfig: z.string().min(1).optional(),
  /** Every pod of the cluster runs on Fargate (only IRSA works there); default false. */
  fargate: z.boolean().optional(),
});

export const clusterSchema = z.strictObject({
  name: named(RULES.clusterName),
  /** Create the cluster with @pulumi/eks; without it the cluster exists already. */
  create: clusterCreateSchema.optional(),
  oidcIssuerUrl: httpsUrl.optional(),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  /** Protect a provider this stack creates from deletion. */
  protectOidcProvider: z.boolean().optional(),
  /** Create the namespaces of the ServiceAccounts; default: true for a created cluster, false otherwise. */
  createNamespaces: z.boolean().optional(),
  /** Kubeconfig (JSON or YAML text) for an existing cluster; by default one is built from the cluster's endpoint. */
  kubeconfig: z.string().min(1).optional(),
  /** Every pod of the cluster runs on Fargate (only IRSA works there); default false. */
  fargate: z.boolean().optional(),
  /** Further clusters whose workloads share the roles (blue/green): IRSA trusts each issuer, Pod Identity associates on each; default none. */
  additionalClusters: z.array(additionalClusterSchema).optional(),
  /** Blue/green: no workload runs here any more (its trust, associations and ServiceAccounts go; roles keep their names); default false. */
  retired: z.boolean().optional(),
});

export const roleDefaultsSchema = z.strictObject({
  path: named(RULES.iamPath).optional(),
  maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
  permissionsBoundaryArn: arnOf("managedPolicy").optional(),
  tags: tags.optional(),
  requireSecureTransport: z.boolean().optional(),
  allowedRegions: z.array(named(RULES.region)).min(1).optional(),
  trustPolicyQuota: z.number().int().min(2048).max(4096).optional(),
  managedPolicyQuota: z.number().int().min(1).max(20).optional(),
  /** The identity mode of workloads that set none: irsa, pod-identity or both; default irsa. */
  mode: identityMode.optional(),
});

export const serviceAccountDefaultsSchema = z.strictObject({
  stsRegionalEndpoints: z.boolean().optional(),
  tokenExpirationSeconds: z.number().int().min(600).max(86400).optional(),
});

export const quotasSchema = z.strictObject({
  rolesPerAccount: z.number().int().min(1).max(5000).optional(),
  oidcProvidersPerAccount: z.number().int().min(1).max(700).optional(),
  rolesAlreadyInAccount: z.number().int().min(0).optional(),
  oidcProvidersAlreadyInAccount: z.number().int().min(0).optional(),
  /** Customer-managed policies the account allows (AWS default 1,500, adjustable up to 5,000). */
  managedPoliciesPerAccount: z.number().int().min(1).max(5000).optional(),
  managedPoliciesAlreadyInAccount: z.number().int().min(0).optional(),
  warnAtPercent: z.number().int().min(1).max(100).optional(),
});

/** Every key of the `eks-irsa:` config namespace. */
export const stackConfigSchema = z.strictObject({
  cluster: clusterSchema,
  workloads: z.array(workloadSchema),
  roleDefaults: roleDefaultsSchema.optional(),
  serviceAccountDefaults: serviceAccountDefaultsSchema.optional(),
  quotas: quotasSchema.optional(),
  externalSecrets: externalSecretsSchema.optional(),
  crossAccount: z.array(targetAccountSchema).optional(),
});

export type StackConfigInput = z.infer<typeof stackConfigSchema>;
export type WorkloadInput = z.infer<typeof workloadSchema>;
