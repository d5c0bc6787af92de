/**
 * The stack config contract (`eks-irsa:*` keys) as a zod schema. Shapes and single-value rules live here;
 * rules that span several values (duplicates, ARNs that must agree) are in `validate.ts`.
 */
import { z } from "zod";
import { ACCESS_LEVELS } from "../core/access";
import { abacSample, IDENTITY_MODES } from "../core/podIdentity";
import { ARN_KINDS, type ArnKindName } from "../core/arn";
import { LOG_GROUP, METRIC_NAMESPACE } from "../core/audit";
import { PRESET_NAMES } from "../core/presets";
import { SERVICE_ACCOUNT_MODES } from "../core/serviceAccount";
import { KEY_ACCESS, QUEUE_ACCESS, QUEUE_NAME, SERVICE_PREFIX, TOPIC_NAME } from "../core/serviceGrants";
import { quoted } from "../core/problems";
import { RULES, type NameRule } from "../core/rules";


/** A key's meaning, and its default when it has one (a key without a default is required, or absent by default). */
export type KeyDoc = string | [meaning: string, defaultValue: string];
const DOCS = new WeakMap<object, Record<string, KeyDoc>>();

/**
 * Documents every key of an object schema beside its declaration; the types make a key without a doc a compile
 * error, and docs/configuration.md is generated from the schema with these (a test fails when it is stale).
 */
function documented<S extends z.ZodObject>(schema: S, docs: { [K in keyof S["shape"]]: KeyDoc }): void {
  DOCS.set(schema, docs as Record<string, KeyDoc>);
}

export function docsOf(schema: object): Record<string, KeyDoc> | undefined {
  return DOCS.get(schema);
}

/** A string the rule accepts; `sample` first turns what the rule does not know (ABAC placeholders) into a plain value. */
export function named(rule: NameRule, sample: (value: string) => string = (v) => v) {
  return z
    .string()
    .check((ctx) => {
      if (!rule.test(sample(ctx.value))) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${rule.what}` });
      }
    })
    .meta({ rule: rule.what });
}

export function arnOf(kind: ArnKindName) {
  return z
    .string()
    .check((ctx) => {
      if (!ARN_KINDS[kind].pattern.test(ctx.value)) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `${quoted(ctx.value)} is not a valid ${ARN_KINDS[kind].what}` });
      }
    })
    .meta({ rule: ARN_KINDS[kind].what });
}

function httpsUrlOf(what: string) {
  return z.string().meta({ rule: `${what} (https://...)` }).check((ctx) => {
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

const httpsUrl = z.string().meta({ rule: "OIDC issuer URL (https://host[/path], no query or fragment)" }).check((ctx) => {
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
documented(s3GrantSchema, {
  bucket: "Bucket name (not an ARN).",
  prefix: ["Key prefix, a folder: `static` and `static/` both grant `static/*` (only one trailing slash goes: `logs//` is `logs//*`). Read access also lists it (`s3:ListBucket` with an `s3:prefix` condition).", "the whole bucket (write access to a whole bucket is warned about)"],
  access: "`read` (GetObject, GetObjectVersion, ListBucket), `write` (PutObject, DeleteObject, multipart) or `read-write`.",
  kmsKeyArn: ["Customer-managed key of the bucket's SSE-KMS encryption: `kms:Decrypt` (and `kms:GenerateDataKey` for writes) only via `s3.<region>`.", "none"],
});


export const dynamoGrantSchema = z.strictObject({
  table: named(RULES.dynamoTable),
  access,
  indexes: z.union([z.literal(true), z.array(named(RULES.dynamoIndex)).min(1)]).optional(),
  streams: z.boolean().optional(),
});
documented(dynamoGrantSchema, {
  table: "Table name (not an ARN), in the stack's account and region.",
  access: "`read` (GetItem, Query, Scan, ...), `write` (PutItem, UpdateItem, DeleteItem, ...) or `read-write`.",
  indexes: ["`true` for every index of the table (`table/T/index/*`), or a list of index names. Read access only.", "none"],
  streams: ["Read the table's streams (`table/T/stream/*`). Read access only.", "false"],
});


export const secretGrantSchema = z.strictObject({
  // A workload sharing its role by ABAC may write {namespace} and {cluster} in both (checked per workload).
  name: named(RULES.secretName, abacSample).optional(),
  prefix: named(RULES.secretPrefix, abacSample).optional(),
  /** Grant the prefix as written even when it does not end at a delimiter ('/', '-', '_', '.'). */
  exactPrefix: z.boolean().optional(),
  kmsKeyArn: arnOf("kmsKey").optional(),
});
documented(secretGrantSchema, {
  name: "One exact secret by name (granted as `secret:NAME-??????`, AWS's random suffix). Give `name` or `prefix`. A workload with `sharedNamespaces` may write `{namespace}` and `{cluster}` in it.",
  prefix: "Every secret whose name starts with it (`secret:PREFIX*`); it must end at a delimiter (`/`, `-`, `_`, `.`) unless `exactPrefix`. Give `name` or `prefix`. A workload with `sharedNamespaces` may write `{namespace}` and `{cluster}` in it.",
  exactPrefix: ["Grant `prefix` as written even when it does not end at a delimiter (`app` then also grants `application-keys`).", "false"],
  kmsKeyArn: ["Customer-managed key the secrets are encrypted with: `kms:Decrypt` only via `secretsmanager.<region>`.", "none"],
});


export const remoteRefSchema = z.strictObject({
  /** The secret's name in Secrets Manager (not its ARN). */
  key: named(RULES.secretName),
  /** A JSON key of the secret's value. */
  property: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  metadataPolicy: z.enum(["None", "Fetch"], { error: (iss) => `${quoted(iss.input)} is not a metadata policy (None or Fetch)` }).optional(),
});
documented(remoteRefSchema, {
  key: "The secret's name in Secrets Manager (not its ARN); the store's identity must be able to read it.",
  property: ["A JSON key of the secret's value.", "the whole value"],
  version: ["A version id or stage.", "AWSCURRENT"],
  metadataPolicy: ["`Fetch` also reads the secret's tags and metadata, which grants `secretsmanager:DescribeSecret` on it to the store's identity.", "None"],
});


export const externalSecretTargetSchema = z.strictObject({
  name: named(RULES.k8sName).optional(),
  creationPolicy: z.enum(["Owner", "Orphan", "Merge", "None"], { error: (iss) => `${quoted(iss.input)} is not a creation policy (Owner, Orphan, Merge or None)` }).optional(),
});
documented(externalSecretTargetSchema, {
  name: ["Name of the Kubernetes Secret written.", "the ExternalSecret's name"],
  creationPolicy: ["`Owner` (the Secret goes with the ExternalSecret), `Orphan`, `Merge` or `None`.", "Owner"],
});


export const externalSecretDataSchema = z.strictObject({ secretKey: named(RULES.secretDataKey), remoteRef: remoteRefSchema });
documented(externalSecretDataSchema, {
  secretKey: "Key in the Kubernetes Secret.",
  remoteRef: "Where its value comes from: `{ key, property?, version?, metadataPolicy? }`.",
});


export const findNameSchema = z.strictObject({ regexp: z.string().min(1) });
documented(findNameSchema, {
  regexp: "Regular expression the secrets' names must match (ESO's AWS provider needs one).",
});


// ESO's AWS provider finds by name or by tags, within the path; eks-irsa supports name (a regexp).
export const findSchema = z.strictObject({ path: named(RULES.secretPrefix), name: findNameSchema });
documented(findSchema, {
  path: "Only secrets whose names start with this path; the ESO role must be able to read them.",
  name: "`{ regexp }` the names must match.",
});


export const dataFromSchema = z.strictObject({ extract: remoteRefSchema.optional(), find: findSchema.optional() });
documented(dataFromSchema, {
  extract: "Every JSON key of one secret becomes a key of the Secret: `{ key, property?, version?, metadataPolicy? }`. Give `extract` or `find`.",
  find: "Secrets under a path whose names match: `{ path, name: { regexp } }`; only through the cluster store with `clusterSecretStore.findByPath`. Give `extract` or `find`.",
});


export const externalSecretSchema = z.strictObject({
  name: named(RULES.k8sName),
  /** `cluster` (the ClusterSecretStore, the controller's role; default) or `workload` (a SecretStore using this workload's role). */
  store: z.enum(["cluster", "workload"], { error: (iss) => `${quoted(iss.input)} is not a store (cluster or workload)` }).optional(),
  refreshInterval: named(RULES.duration).optional(),
  target: externalSecretTargetSchema.optional(),
  data: z.array(externalSecretDataSchema).optional(),
  /** Each item: exactly one of `extract` (one secret's JSON keys) or `find` (secrets under a path whose names match). */
  dataFrom: z.array(dataFromSchema).optional(),
});
documented(externalSecretSchema, {
  name: "Name of the `ExternalSecret` in the workload's namespace.",
  store: ["`cluster`: the ClusterSecretStore, read with the ESO role (grant it in `externalSecrets.secrets`). `workload`: a SecretStore `<workload>-secrets-manager` that authenticates as the workload's ServiceAccount, read with the workload's own role (grant it in the workload's `secrets`).", "cluster"],
  refreshInterval: ["How often ESO reads again: a Go duration (`15m`, `1h30m`; `0` reads once).", "1h"],
  target: ["The Kubernetes Secret written: `{ name?, creationPolicy? }`.", "named after the ExternalSecret, owned by it"],
  data: ["Keys of the Secret, one remote value each: `{ secretKey, remoteRef }`.", "none"],
  dataFrom: ["Whole secrets (`extract`) or secrets found by path (`find`).", "none"],
});


export const chartSchema = z.strictObject({ version: named(RULES.semver).optional(), repository: httpsUrlOf("Helm repository URL").optional() });
documented(chartSchema, {
  version: ["Exact chart version (a pin, not a range).", "2.10.0"],
  repository: ["Helm repository of the `external-secrets` chart.", "https://charts.external-secrets.io"],
});


export const clusterSecretStoreSchema = z.strictObject({
  name: named(RULES.k8sName).optional(),
  findByPath: z.boolean().optional(),
  namespaces: z.array(named(RULES.namespace)).optional(),
});
documented(clusterSecretStoreSchema, {
  name: ["Name of the ClusterSecretStore (provider aws SecretsManager, the stack's region).", "aws-secrets-manager"],
  findByPath: ["Allow `dataFrom.find`: grants the ESO role `ListSecrets` and `BatchGetSecretValue` on `*` (the only resource they accept). Never granted otherwise.", "false"],
  namespaces: ["Namespaces served besides those of the ExternalSecrets that use it (the store admits no other).", "none"],
});


export const externalSecretsSchema = z.strictObject({
  namespace: named(RULES.namespace).optional(),
  serviceAccount: named(RULES.serviceAccount).optional(),
  /** `reader` (default): the role is bound to a pod-less ServiceAccount the ClusterSecretStore authenticates as; `controller`: to the controller's own. */
  identity: z.enum(["reader", "controller"], { error: (iss) => `${quoted(iss.input)} is not an ESO identity mode (reader or controller)` }).optional(),
  readerServiceAccount: named(RULES.serviceAccount).optional(),
  chart: chartSchema.optional(),
  clusterSecretStore: clusterSecretStoreSchema.optional(),
  /** What the controller may read for the ClusterSecretStore. */
  secrets: z.array(secretGrantSchema).optional(),
  tags: tags.optional(),
});
documented(externalSecretsSchema, {
  namespace: ["Namespace of the Helm release (created by it) and of the reader ServiceAccount.", "external-secrets"],
  serviceAccount: ["Fixed name of the controller's ServiceAccount (the chart creates it).", "external-secrets"],
  identity: ["Which ServiceAccount the ESO role is bound to. `reader`: a pod-less ServiceAccount the ClusterSecretStore authenticates as (`auth.jwt`), so a SecretStore without `auth` gets no AWS identity from the controller. `controller`: the chart's ServiceAccount (ESO's usual setup). See docs/external-secrets.md.", "reader"],
  readerServiceAccount: ["The pod-less ServiceAccount of identity `reader`, created by the stack and annotated with the ESO role.", "<serviceAccount>-reader"],
  chart: ["The Helm chart: `{ version?, repository? }`.", "external-secrets 2.10.0"],
  clusterSecretStore: ["The ClusterSecretStore: `{ name?, findByPath?, namespaces? }`.", "aws-secrets-manager, no find-by-path"],
  secrets: ["What the ESO role may read for the ClusterSecretStore: `GetSecretValue` only (DescribeSecret on exactly the secrets an ExternalSecret fetches metadata of), `kms:Decrypt` only via Secrets Manager.", "none"],
  tags: ["Extra tags of the ESO role, merged over `roleDefaults.tags`.", "{}"],
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
documented(targetRoleSchema, {
  name: "Label of the role in the target: the role is `<cluster>-<target>-<name>`, its chained profile `<target>-<name>`.",
  workloads: "Source workloads (names in `eks-irsa:workloads`) that may use the role.",
  s3: ["S3 access in the target account, as for workloads.", "none"],
  dynamodb: ["DynamoDB access in the target account, as for workloads.", "none"],
  secrets: ["Secrets Manager access in the target account, as for workloads.", "none"],
  tags: ["Extra tags of the role.", "{}"],
  maxSessionDurationSeconds: ["Longest session (AWS caps a chained session at one hour whatever this says).", "roleDefaults.maxSessionDurationSeconds"],
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
  mode: z.enum(["chained", "oidc", "pod-identity"], { error: (iss) => `${quoted(iss.input)} is not a cross-account mode (chained, oidc or pod-identity)` }),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  permissionsBoundaryArn: arnOf("managedPolicy").optional(),
  roles: z.array(targetRoleSchema).min(1),
});
documented(targetAccountSchema, {
  name: "Label of the target account (resource and profile names).",
  accountId: "The target account's 12-digit id, quoted in YAML.",
  deployRoleArn: "Role in the target account the deployment assumes: the account's resources go through their own `aws.Provider` (`assumeRoles`, `allowedAccountIds: [accountId]`).",
  previewRoleArn: ["A read-only role in the target account the provider assumes when the program runs as a preview, so PR previews need no deploy rights.", "previews assume the deploy role"],
  externalId: ["External id of those assumptions.", "none"],
  mode: "`chained` (the target role trusts exactly the source roles; pods chain through an AWS profile), `oidc` (the target account registers the cluster's issuer; dedicated ServiceAccounts carry the target role) or `pod-identity` (the source workloads' Pod Identity associations name the target role, which trusts their roles with the associations' external ids; the workloads must be in mode `pod-identity`). See docs/cross-account.md and docs/pod-identity.md.",
  oidcProviderArn: ["Mode `oidc`: adopt the target account's existing IAM OIDC provider for the cluster's issuer.", "created"],
  permissionsBoundaryArn: ["Permissions boundary of the target roles (a policy of the target account).", "none"],
  roles: "The roles to create there: `{ name, workloads, s3?, dynamodb?, secrets?, tags?, maxSessionDurationSeconds? }`.",
});


export const sqsGrantSchema = z.strictObject({
  queue: named(QUEUE_NAME),
  access: z.enum(QUEUE_ACCESS, { error: (iss) => `${quoted(iss.input)} is not a queue access (send, receive or send-receive)` }),
  kmsKeyArn: arnOf("kmsKey").optional(),
});
documented(sqsGrantSchema, {
  queue: "Queue name (not a URL or ARN), in the stack's account and region.",
  access: "`send` (SendMessage), `receive` (ReceiveMessage, DeleteMessage, ChangeMessageVisibility) or `send-receive`; both with GetQueueUrl and GetQueueAttributes.",
  kmsKeyArn: ["The queue's SSE-KMS key: `kms:GenerateDataKey`/`kms:Decrypt` only via `sqs.<region>`.", "none"],
});

export const snsGrantSchema = z.strictObject({
  topic: named(TOPIC_NAME),
  kmsKeyArn: arnOf("kmsKey").optional(),
});
documented(snsGrantSchema, {
  topic: "Topic name (not an ARN), in the stack's account and region: `sns:Publish`.",
  kmsKeyArn: ["The topic's KMS key: `kms:GenerateDataKey`/`kms:Decrypt` only via `sns.<region>`.", "none"],
});

export const kmsGrantSchema = z.strictObject({
  keyArn: arnOf("kmsKey"),
  access: z.enum(KEY_ACCESS, { error: (iss) => `${quoted(iss.input)} is not a key access (encrypt, decrypt or encrypt-decrypt)` }),
  viaService: named(SERVICE_PREFIX).optional(),
});
documented(kmsGrantSchema, {
  keyArn: "Key ARN (aliases cannot be granted); the key may be in another account, whose key policy must allow it.",
  access: "`encrypt` (Encrypt, GenerateDataKey), `decrypt` (Decrypt) or `encrypt-decrypt`.",
  viaService: ["Only through this service (`kms:ViaService = <service>.<region>.<suffix>`), e.g. `s3`.", "any caller"],
});

export const statementConditionSchema = z.strictObject({
  operator: z.string(),
  key: z.string(),
  values: z.array(z.string()).min(1),
});
documented(statementConditionSchema, {
  operator: "`StringEquals`, `StringLike`, `ArnLike`, `Bool`, `Null`... with an optional `ForAnyValue:`/`ForAllValues:` or `IfExists` (operators the access report can prove).",
  key: "A condition key every action of the statement evaluates (AWS service catalog), or a global one (`aws:SourceVpce`).",
  values: "The values, ORed.",
});

export const statementSchema = z.strictObject({
  actions: z.array(z.string()).min(1),
  resources: z.array(z.string()).min(1),
  conditions: z.array(statementConditionSchema).optional(),
});
documented(statementSchema, {
  actions: "Actions of the AWS service catalog (`sqs:SendMessage`), or a verb prefix spelled out (`sqs:Get*`); never `*` or `service:*`, nor a privilege-escalation action.",
  resources: "Resource ARNs in the stack's partition and an account of `aws:allowedAccountIds`, each naming something (not every resource of a type); `*` only for actions that accept nothing else.",
  conditions: ["Conditions, all of which must hold.", "none"],
});

export const presetSchema = z.strictObject({
  name: z.enum(PRESET_NAMES, { error: (iss) => `${quoted(iss.input)} is not a known add-on preset (${PRESET_NAMES.join(", ")})` }),
  clusterName: z.string().optional(),
  vpcId: z.string().optional(),
  hostedZoneIds: z.array(z.string()).optional(),
  domainFilters: z.array(z.string()).optional(),
  kmsKeyArns: z.array(z.string()).optional(),
  fileSystemIds: z.array(z.string()).optional(),
  bucket: z.string().optional(),
  prefix: z.string().optional(),
  clusterScoped: z.boolean().optional(),
});
documented(presetSchema, {
  name: "The add-on (docs/presets.md): `aws-load-balancer-controller`, `ebs-csi`, `efs-csi`, `external-dns`, `cert-manager`, `cluster-autoscaler`, `vpc-cni` or `velero`.",
  clusterName: ["The cluster's name as the add-on tags with it (load balancer controller, cluster-autoscaler, vpc-cni, ebs-csi with `clusterScoped`).", "cluster.name"],
  vpcId: "The cluster's VPC (`vpc-...`): aws-load-balancer-controller and vpc-cni (required there).",
  hostedZoneIds: "Route 53 hosted zone ids (`Z...`) external-dns or cert-manager may change (required there).",
  domainFilters: ["external-dns: the DNS names it may change (`*.example.com`).", "any name of the zones"],
  kmsKeyArns: ["Customer-managed keys: ebs-csi's encrypted volumes, velero's encrypted restores.", "none"],
  fileSystemIds: "efs-csi: the EFS file systems (`fs-...`) it may create access points in (required there).",
  bucket: "velero: the bucket of its backup storage location (required there).",
  prefix: ["velero: the key prefix of its backup storage location.", "the whole bucket"],
  clusterScoped: ["ebs-csi: guard volumes with this cluster's `ebs.csi.aws.com/cluster-name` tag (chart value `controller.k8sTagClusterId`).", "false"],
});

export const workloadSchema = z.strictObject({
  /** Unique in the stack; names the role `<cluster>-<name>`. */
  name: named(RULES.workloadName),
  namespace: named(RULES.namespace).optional(),
  /** Defaults to `name`; a pattern with `*` binds every matching ServiceAccount of the namespace. */
  serviceAccount: named(RULES.serviceAccountPattern).optional(),
  /** Defaults to true for an exact name; must not be true for a pattern. */
  createServiceAccount: z.boolean().optional(),
  serviceAccountMode: z.enum(SERVICE_ACCOUNT_MODES, { error: (iss) => `${quoted(iss.input)} is not a ServiceAccount mode (created, annotated or external)` }).optional(),
  preset: presetSchema.optional(),
  s3: z.array(s3GrantSchema).optional(),
  dynamodb: z.array(dynamoGrantSchema).optional(),
  secrets: z.array(secretGrantSchema).optional(),
  sqs: z.array(sqsGrantSchema).optional(),
  sns: z.array(snsGrantSchema).optional(),
  kms: z.array(kmsGrantSchema).optional(),
  statements: z.array(statementSchema).optional(),
  tags: tags.optional(),
  maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
  tokenExpirationSeconds: z.number().int().min(600).max(86400).optional(),
  /** ExternalSecrets created in the workload's namespace (needs eks-irsa:externalSecrets). */
  externalSecrets: z.array(externalSecretSchema).optional(),
  mode: identityMode.optional(),
  disableSessionTags: z.boolean().optional(),
  fargate: z.boolean().optional(),
  sharedNamespaces: z.array(named(RULES.namespace)).min(1).optional(),
  clusters: z.array(named(RULES.clusterName)).min(1).optional(),
}).check((ctx) => {
  // Only a preset's chart can name the namespace for the workload.
  if (ctx.value.namespace === undefined && ctx.value.preset === undefined) {
    ctx.issues.push({ code: "custom", input: ctx.value, path: ["namespace"], message: "is required (a Kubernetes namespace; a preset's chart namespace is the only default)" });
  }
});
documented(workloadSchema, {
  name: "Unique workload name (RFC 1123 label): its role is `<cluster>-<name>`.",
  namespace: ["Kubernetes namespace of the ServiceAccount (required without a preset).", "the preset chart's namespace"],
  serviceAccount: ["ServiceAccount name, or a pattern with `*` (`*`, `report-*`) that binds every matching ServiceAccount of the namespace (`StringLike` on `sub`, `aud` still exact; never created). Patterns in `default` and `kube-system` are warned about.", "the preset chart's ServiceAccount, else name"],
  createServiceAccount: ["Create the ServiceAccount, annotated with the role. Must not be `true` for a pattern. Kept for existing configs: `true` means `serviceAccountMode: created`, `false` means `external`.", "true for an exact name"],
  serviceAccountMode: ["Who owns the ServiceAccount: `created` (this stack), `annotated` (a chart or operator made it: the stack patches the role annotations into it by server-side apply and owns nothing else) or `external` (nothing in Kubernetes; the annotations are the stack output `workloads.<name>.serviceAccountAnnotations`).", "created for an exact name, external for a pattern or a preset"],
  preset: ["An add-on's permissions, following its upstream policy (docs/presets.md); its chart's namespace and ServiceAccount are the defaults.", "none"],
  sqs: ["SQS access: `{ queue, access: send | receive | send-receive, kmsKeyArn? }`.", "none"],
  sns: ["SNS publish: `{ topic, kmsKeyArn? }`.", "none"],
  kms: ["Direct use of KMS keys: `{ keyArn, access: encrypt | decrypt | encrypt-decrypt, viaService? }`.", "none"],
  statements: ["Custom Allow statements for what no typed grant covers, checked against the AWS service catalog (docs/presets.md).", "none"],
  s3: ["S3 access: `{ bucket, prefix?, access, kmsKeyArn? }`.", "none"],
  dynamodb: ["DynamoDB access: `{ table, access, indexes?, streams? }`.", "none"],
  secrets: ["Secrets Manager read access: `{ name | prefix, exactPrefix?, kmsKeyArn? }`.", "none"],
  tags: ["Extra role tags, merged over `roleDefaults.tags`.", "{}"],
  maxSessionDurationSeconds: ["Longest session of the role (3600-43200).", "roleDefaults.maxSessionDurationSeconds"],
  tokenExpirationSeconds: ["`eks.amazonaws.com/token-expiration` of the ServiceAccount (600-86400).", "serviceAccountDefaults.tokenExpirationSeconds"],
  externalSecrets: ["ExternalSecrets created in the workload's namespace (needs `eks-irsa:externalSecrets`).", "none"],
  mode: ["How its pods get the role: `irsa` (annotated ServiceAccount, OIDC trust), `pod-identity` (an EKS Pod Identity association per cluster, `pods.eks.amazonaws.com` trust pinned to it) or `both` (the migration step: both trusts, association and annotation). See docs/pod-identity.md.", "roleDefaults.mode"],
  disableSessionTags: ["Pod Identity: the associations set no session tags; the trust then pins the cluster by `aws:SourceArn` only.", "false"],
  fargate: ["The pods run on Fargate, where Pod Identity does not work: only mode `irsa` is accepted.", "true when a cluster it runs on has `fargate`, else false"],
  sharedNamespaces: ["Pod Identity ABAC: the same ServiceAccount in these namespaces shares the role (one association each); `{namespace}` and `{cluster}` in an S3 prefix or a secret name or prefix resolve per association. Mode `pod-identity` only.", "none"],
  clusters: ["Names of the clusters it runs on (`cluster.name`, `cluster.additionalClusters[].name`): one IRSA trust statement per issuer, one association per cluster.", "every cluster of the stack but a retired one"],
});


export const clusterCreateSchema = z.strictObject({
  version: z.string().regex(/^1\.\d{2}$/, { error: (iss) => `${quoted(iss.input)} is not a Kubernetes minor version like "1.33"` }).optional(),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: (iss) => `${quoted(iss.input)} is not an EC2 instance type like "t3.medium"` }).optional(),
  desiredCapacity: z.number().int().min(0).max(450).optional(),
  minSize: z.number().int().min(0).max(450).optional(),
  maxSize: z.number().int().min(1).max(450).optional(),
  fargateProfile: z.boolean().optional(),
});
documented(clusterCreateSchema, {
  version: ["Kubernetes minor version, e.g. \"1.33\".", "the provider's default"],
  instanceType: ["EC2 instance type of the nodes.", "t3.medium"],
  desiredCapacity: ["Nodes to run.", "minSize"],
  minSize: ["Fewest nodes.", "1"],
  maxSize: ["Most nodes.", "max(2, minSize)"],
  fargateProfile: ["A Fargate profile selecting the namespaces of the workloads marked `fargate` (the node group stays).", "false"],
});


/** A further cluster of the stack (blue/green): adopted by issuer and provider ARN, or created. */
export const additionalClusterSchema = z.strictObject({
  name: named(RULES.clusterName),
  create: clusterCreateSchema.optional(),
  oidcIssuerUrl: httpsUrl.optional(),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  kubeconfig: z.string().min(1).optional(),
  fargate: z.boolean().optional(),
});
documented(additionalClusterSchema, {
  name: "EKS cluster name, in the stack's account and region.",
  create: ["Create the cluster with `@pulumi/eks`, as `cluster.create`.", "absent: the cluster exists"],
  oidcIssuerUrl: ["The https issuer of an existing cluster.", "looked up with eks:DescribeCluster"],
  oidcProviderArn: ["Adopt its existing IAM OIDC provider.", "absent: created where a workload there uses IRSA"],
  kubeconfig: ["Kubeconfig of an existing cluster (store it as a secret).", "built from the cluster's endpoint with `aws eks get-token`"],
  fargate: ["Every pod of the cluster runs on Fargate: its workloads are IRSA only.", "false"],
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
  fargate: z.boolean().optional(),
  additionalClusters: z.array(additionalClusterSchema).optional(),
  retired: z.boolean().optional(),
});
documented(clusterSchema, {
  name: "EKS cluster name: role names are `<cluster>-<workload>` (cut to 64 characters with a hash).",
  create: ["Create the cluster with `@pulumi/eks` (its own OIDC provider off: the stack registers the issuer): `{ version?, instanceType?, desiredCapacity?, minSize?, maxSize?, fargateProfile? }`.", "absent: the cluster exists"],
  oidcIssuerUrl: ["The https issuer of an existing cluster.", "looked up with eks:DescribeCluster"],
  oidcProviderArn: ["Adopt an existing IAM OIDC provider (e.g. from `eksctl utils associate-iam-oidc-provider`); its issuer must match `oidcIssuerUrl`, which is read from the ARN when absent.", "absent: create the provider"],
  protectOidcProvider: ["Pulumi `protect` on a provider this stack creates: every IRSA role of the cluster depends on it.", "true"],
  createNamespaces: ["Create the namespaces the stack puts ServiceAccounts, ExternalSecrets and ConfigMaps into.", "true when `create` is set, else false"],
  kubeconfig: ["Kubeconfig of an existing cluster; store it with `pulumi config set --secret --path eks-irsa:cluster.kubeconfig` (offline runs use a placeholder and never print it).", "built from the cluster's endpoint with `aws eks get-token`"],
  fargate: ["Every pod of the cluster runs on Fargate: its workloads are IRSA only.", "false"],
  additionalClusters: ["Further clusters whose workloads share the roles (blue/green): `{ name, create? | oidcIssuerUrl?, oidcProviderArn?, kubeconfig?, fargate? }`. IRSA trusts each issuer, Pod Identity associates on each.", "none"],
  retired: ["Blue/green: no workload runs on this cluster any more (its trust statements, associations and ServiceAccounts go; it still names the roles). Needs `additionalClusters`.", "false"],
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
  mode: identityMode.optional(),
});
documented(roleDefaultsSchema, {
  path: ["IAM path of every role and policy.", "/"],
  maxSessionDurationSeconds: ["Longest session of every role (3600-43200).", "3600"],
  permissionsBoundaryArn: ["Permissions boundary of every role in the stack's account.", "none"],
  tags: ["Tags of every role and policy (besides eks-irsa's own `eks-irsa:*` tags; at most 50 per role in all).", "{}"],
  requireSecureTransport: ["Deny every request not sent over TLS (`aws:SecureTransport`).", "true"],
  allowedRegions: ["Deny every request to another region (`aws:RequestedRegion`); must include the stack's region. Global services count as us-east-1.", "no region guardrail"],
  trustPolicyQuota: ["The account's trust policy size quota (2048-4096): a longer trust fails the plan.", "2048"],
  managedPolicyQuota: ["Managed policies per role (1-20), for permissions beyond the role's 10,240-character inline policy.", "10"],
  mode: ["The identity mode of workloads that set none: `irsa`, `pod-identity` or `both`.", "irsa"],
});


export const serviceAccountDefaultsSchema = z.strictObject({
  stsRegionalEndpoints: z.boolean().optional(),
  tokenExpirationSeconds: z.number().int().min(600).max(86400).optional(),
});
documented(serviceAccountDefaultsSchema, {
  stsRegionalEndpoints: ["`eks.amazonaws.com/sts-regional-endpoints: \"true\"` on every ServiceAccount.", "true"],
  tokenExpirationSeconds: ["`eks.amazonaws.com/token-expiration` of every ServiceAccount (600-86400).", "the webhook's 86400"],
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
documented(quotasSchema, {
  rolesPerAccount: ["The account's role quota (AWS default 1,000, up to 5,000).", "1000"],
  oidcProvidersPerAccount: ["The account's IAM OIDC provider quota.", "100"],
  rolesAlreadyInAccount: ["Roles that exist outside this stack, counted toward the quota.", "0"],
  oidcProvidersAlreadyInAccount: ["IAM OIDC providers that exist outside this stack.", "0"],
  managedPoliciesPerAccount: ["The account's customer-managed policy quota (AWS default 1,500, up to 5,000).", "1500"],
  managedPoliciesAlreadyInAccount: ["Customer-managed policies that exist outside this stack.", "0"],
  warnAtPercent: ["The plan warns when a quota would be this full.", "80"],
});


export const auditAlarmSchema = z.strictObject({
  logGroupName: named(LOG_GROUP),
  alarmTopicArn: arnOf("snsTopic").optional(),
  metricNamespace: named(METRIC_NAMESPACE).optional(),
  threshold: z.number().int().min(1).max(100000).optional(),
});
documented(auditAlarmSchema, {
  logGroupName: "The CloudWatch Logs log group a CloudTrail trail delivers to; the trail must cover every region the pods' STS calls land in and log read events (docs/audit.md).",
  alarmTopicArn: ["SNS topic the two alarms notify (ALARM and OK).", "none: the alarm state only"],
  metricNamespace: ["CloudWatch namespace of the metrics.", "EKS/IRSA"],
  threshold: ["Failed calls within 5 minutes that set off an alarm.", "1"],
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
  auditAlarm: auditAlarmSchema.optional(),
});
documented(stackConfigSchema, {
  cluster: "The cluster: created with `@pulumi/eks` or existing, and its IAM OIDC provider.",
  workloads: "The workloads, each with its own role and ServiceAccount.",
  roleDefaults: ["Settings of every role.", "see below"],
  serviceAccountDefaults: ["Settings of every ServiceAccount.", "see below"],
  quotas: ["Account quotas the plan watches.", "see below"],
  externalSecrets: ["Install the External Secrets Operator with its own narrowly scoped role.", "absent: no ESO"],
  crossAccount: ["Roles in other accounts for workloads of this cluster.", "none"],
  auditAlarm: ["Alarms on failed `AssumeRoleWithWebIdentity` calls for this stack's roles, from CloudTrail in CloudWatch Logs (docs/audit.md).", "none"],
});


export type StackConfigInput = z.infer<typeof stackConfigSchema>;
export type WorkloadInput = z.infer<typeof workloadSchema>;
