/**
 * The stack config contract (`eks-irsa:*` keys) as a zod schema. Shapes and single-value rules live here;
 * rules that span several values (duplicates, ARNs that must agree) are in `validate.ts`.
 */
import { z } from "zod";
import { ACCESS_LEVELS } from "../core/access";
import { ARN_KINDS, type ArnKindName } from "../core/arn";
import { PRESET_NAMES } from "../core/presets";
import { SERVICE_ACCOUNT_MODES } from "../core/serviceAccount";
import { KEY_ACCESS, QUEUE_ACCESS, QUEUE_NAME, SERVICE_PREFIX, TOPIC_NAME } from "../core/serviceGrants";
import { quoted } from "../core/problems";
import { RULES, type NameRule } from "../core/rules";


export function named(rule: NameRule) {
  return z.string().check((ctx) => {
    if (!rule.test(ctx.value)) {
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
  name: named(RULES.secretName).optional(),
  prefix: named(RULES.secretPrefix).optional(),
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
  mode: z.enum(["chained", "oidc"], { error: (iss) => `${quoted(iss.input)} is not a cross-account mode (chained or oidc)` }),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  permissionsBoundaryArn: arnOf("managedPolicy").optional(),
  roles: z.array(targetRoleSchema).min(1),
});

export const sqsGrantSchema = z.strictObject({
  /** Queue name in the stack's account and region (not a URL or ARN). */
  queue: named(QUEUE_NAME),
  /** send, receive or send-receive. */
  access: z.enum(QUEUE_ACCESS, { error: (iss) => `${quoted(iss.input)} is not a queue access (send, receive or send-receive)` }),
  /** The queue's SSE-KMS key: kms:GenerateDataKey/Decrypt via SQS only; default none. */
  kmsKeyArn: arnOf("kmsKey").optional(),
});

export const snsGrantSchema = z.strictObject({
  /** Topic name in the stack's account and region (not an ARN): sns:Publish. */
  topic: named(TOPIC_NAME),
  /** The topic's KMS key: kms:GenerateDataKey/Decrypt via SNS only; default none. */
  kmsKeyArn: arnOf("kmsKey").optional(),
});

export const kmsGrantSchema = z.strictObject({
  /** Key ARN (aliases cannot be granted). */
  keyArn: arnOf("kmsKey"),
  /** encrypt (Encrypt, GenerateDataKey), decrypt or encrypt-decrypt. */
  access: z.enum(KEY_ACCESS, { error: (iss) => `${quoted(iss.input)} is not a key access (encrypt, decrypt or encrypt-decrypt)` }),
  /** Only through this service (kms:ViaService <service>.<region>.amazonaws.com); default any caller. */
  viaService: named(SERVICE_PREFIX).optional(),
});

export const statementSchema = z.strictObject({
  /** Actions (service:Action, or a verb prefix such as sqs:Get*), checked against the AWS service catalog. */
  actions: z.array(z.string()).min(1),
  /** Resource ARNs in the stack's partition and allowed accounts; "*" only for actions that accept nothing else. */
  resources: z.array(z.string()).min(1),
  /** Conditions, all of which must hold; default none. */
  conditions: z
    .array(
      z.strictObject({
        /** StringEquals, StringLike, ArnLike, Bool, Null... (with ForAnyValue:/ForAllValues: or IfExists). */
        operator: z.string(),
        /** A condition key the statement's actions evaluate, or a global one. */
        key: z.string(),
        /** The values, ORed. */
        values: z.array(z.string()).min(1),
      }),
    )
    .optional(),
});

export const presetSchema = z.strictObject({
  /** The add-on: aws-load-balancer-controller, ebs-csi, efs-csi, external-dns, cert-manager, cluster-autoscaler, vpc-cni or velero. */
  name: z.enum(PRESET_NAMES, { error: (iss) => `${quoted(iss.input)} is not a known add-on preset (${PRESET_NAMES.join(", ")})` }),
  /** The name the add-on tags its resources with; default cluster.name. */
  clusterName: z.string().optional(),
  /** The cluster's VPC id (aws-load-balancer-controller, vpc-cni). */
  vpcId: z.string().optional(),
  /** Route 53 hosted zone ids (external-dns, cert-manager). */
  hostedZoneIds: z.array(z.string()).optional(),
  /** external-dns: the DNS names it may change; default any name of the zones. */
  domainFilters: z.array(z.string()).optional(),
  /** KMS key ARNs (ebs-csi, velero); default none. */
  kmsKeyArns: z.array(z.string()).optional(),
  /** efs-csi: EFS file system ids. */
  fileSystemIds: z.array(z.string()).optional(),
  /** velero: the backup bucket. */
  bucket: z.string().optional(),
  /** velero: the backup prefix; default the whole bucket. */
  prefix: z.string().optional(),
  /** ebs-csi: guard with this cluster's ebs.csi.aws.com/cluster-name tag; default false. */
  clusterScoped: z.boolean().optional(),
});

export const workloadSchema = z.strictObject({
  /** Unique in the stack; names the role `<cluster>-<name>`. */
  name: named(RULES.workloadName),
  /** Namespace of the ServiceAccount; default the preset chart's (required without a preset). */
  namespace: named(RULES.namespace).optional(),
  /** Defaults to `name`; a pattern with `*` binds every matching ServiceAccount of the namespace. */
  serviceAccount: named(RULES.serviceAccountPattern).optional(),
  /** Defaults to true for an exact name; must not be true for a pattern. */
  createServiceAccount: z.boolean().optional(),
  /** created, annotated (patch the role annotation into an existing ServiceAccount) or external; default created, external for a pattern or a preset. */
  serviceAccountMode: z.enum(SERVICE_ACCOUNT_MODES, { error: (iss) => `${quoted(iss.input)} is not a ServiceAccount mode (created, annotated or external)` }).optional(),
  /** An add-on preset (its chart's ServiceAccount is the default); default none. */
  preset: presetSchema.optional(),
  s3: z.array(s3GrantSchema).optional(),
  dynamodb: z.array(dynamoGrantSchema).optional(),
  secrets: z.array(secretGrantSchema).optional(),
  /** SQS queues: send, receive or both; default none. */
  sqs: z.array(sqsGrantSchema).optional(),
  /** SNS topics: publish; default none. */
  sns: z.array(snsGrantSchema).optional(),
  /** KMS keys: encrypt, decrypt or both; default none. */
  kms: z.array(kmsGrantSchema).optional(),
  /** Custom Allow statements checked against the AWS service catalog; default none. */
  statements: z.array(statementSchema).optional(),
  tags: tags.optional(),
  maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
  tokenExpirationSeconds: z.number().int().min(600).max(86400).optional(),
  /** ExternalSecrets created in the workload's namespace (needs eks-irsa:externalSecrets). */
  externalSecrets: z.array(externalSecretSchema).optional(),
}).check((ctx) => {
  // Only a preset's chart can name the namespace for the workload.
  if (ctx.value.namespace === undefined && ctx.value.preset === undefined) {
    ctx.issues.push({ code: "custom", input: ctx.value, path: ["namespace"], message: "is required (a Kubernetes namespace; a preset's chart namespace is the only default)" });
  }
});

export const clusterSchema = z.strictObject({
  name: named(RULES.clusterName),
  /** Create the cluster with @pulumi/eks; without it the cluster exists already. */
  create: z
    .strictObject({
      version: z.string().regex(/^1\.\d{2}$/, { error: (iss) => `${quoted(iss.input)} is not a Kubernetes minor version like "1.33"` }).optional(),
      instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: (iss) => `${quoted(iss.input)} is not an EC2 instance type like "t3.medium"` }).optional(),
      desiredCapacity: z.number().int().min(0).max(450).optional(),
      minSize: z.number().int().min(0).max(450).optional(),
      maxSize: z.number().int().min(1).max(450).optional(),
    })
    .optional(),
  oidcIssuerUrl: httpsUrl.optional(),
  oidcProviderArn: arnOf("oidcProvider").optional(),
  /** Protect a provider this stack creates from deletion. */
  protectOidcProvider: z.boolean().optional(),
  /** Create the namespaces of the ServiceAccounts; default: true for a created cluster, false otherwise. */
  createNamespaces: z.boolean().optional(),
  /** Kubeconfig (JSON or YAML text) for an existing cluster; by default one is built from the cluster's endpoint. */
  kubeconfig: z.string().min(1).optional(),
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

export const auditAlarmSchema = z.strictObject({
  /** The CloudWatch Logs log group a CloudTrail trail delivers to (it must cover every region the pods' STS calls land in). */
  logGroupName: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, { error: (iss) => `${quoted(iss.input)} is not a log group name (1-512 letters, digits and ._-/#)` }),
  /** SNS topic the alarms notify; default none (alarm state only). */
  alarmTopicArn: arnOf("snsTopic").optional(),
  /** CloudWatch metric namespace; default EKS/IRSA. */
  metricNamespace: z.string().regex(/^[A-Za-z0-9./_#:-]{1,255}$/, { error: (iss) => `${quoted(iss.input)} is not a metric namespace` }).optional(),
  /** Failed calls per 5 minutes that raise an alarm; default 1. */
  threshold: z.number().int().min(1).optional(),
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
  /** Alarms on failed AssumeRoleWithWebIdentity calls for this stack's roles (CloudTrail in CloudWatch Logs); default none. */
  auditAlarm: auditAlarmSchema.optional(),
});

export type StackConfigInput = z.infer<typeof stackConfigSchema>;
export type WorkloadInput = z.infer<typeof workloadSchema>;
