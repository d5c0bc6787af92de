/**
 * What an add-on preset is made of: the upstream policy it follows (pinned as facts, never vendored), the
 * ServiceAccount its chart creates, the inputs that scope it, its statements (each with a Sid, and a reason when it
 * stays on every resource of a type) and the requests its add-on makes (for proofs with an IAM evaluator).
 */
import type { ConditionBlock, Statement } from "../document";
import type { AwsEnvironment } from "../environment";

/** The add-ons eks-irsa has presets for. */
export const AddonPresetName = {
  AwsLoadBalancerController: "aws-load-balancer-controller",
  EbsCsi: "ebs-csi",
  EfsCsi: "efs-csi",
  ExternalDns: "external-dns",
  CertManager: "cert-manager",
  ClusterAutoscaler: "cluster-autoscaler",
  VpcCni: "vpc-cni",
  Velero: "velero",
} as const;
export type AddonPresetName = (typeof AddonPresetName)[keyof typeof AddonPresetName];

/**
 * An add-on's permissions, following its upstream policy (tightened where upstream recommends it). Each preset takes
 * the inputs it needs (see docs/presets.md); giving an input another preset does not take is an error.
 */
export interface AddonPreset {
  /** The add-on: aws-load-balancer-controller, ebs-csi, efs-csi, external-dns, cert-manager, cluster-autoscaler, vpc-cni or velero. */
  name: AddonPresetName;
  /** The cluster's name as the add-on tags its resources with it (LBC, cluster-autoscaler, vpc-cni, ebs-csi clusterScoped). @default the workload's clusterName */
  clusterName?: string;
  /** The cluster's VPC (`vpc-...`): aws-load-balancer-controller and vpc-cni only act on security groups and subnets in it. */
  vpcId?: string;
  /** Route 53 hosted zone ids (`Z...`) external-dns or cert-manager may change records in. */
  hostedZoneIds?: string[];
  /** external-dns: the DNS names it may change (`route53:ChangeResourceRecordSetsNormalizedRecordNames`), e.g. `*.example.com`. @default any name of the zones */
  domainFilters?: string[];
  /** Customer-managed KMS keys (ARNs): ebs-csi's encrypted volumes, velero's encrypted restores and backups. @default none */
  kmsKeyArns?: string[];
  /** efs-csi: the EFS file systems (`fs-...`) it may create access points in. */
  fileSystemIds?: string[];
  /** velero: the S3 bucket of its backup storage location. */
  bucket?: string;
  /** velero: the key prefix of its backup storage location. @default the whole bucket */
  prefix?: string;
  /**
   * ebs-csi: guard volumes and snapshots with this cluster's `ebs.csi.aws.com/cluster-name` tag instead of
   * `ebs.csi.aws.com/cluster: "true"` (needs the chart value `controller.k8sTagClusterId`). @default false
   */
  clusterScoped?: boolean;
}

export type PresetInputKey = Exclude<keyof AddonPreset, "name">;

/** Where a preset's statements come from: an upstream file at a commit, as read (the facts), never a copy of it. */
export interface UpstreamPin {
  repository: string;
  path: string;
  /** The repository's commit the file was read at. */
  commit: string;
  /** The last commit that changed the file (at `commit`). */
  fileCommit: string;
  /** The file's git blob id at `commit`: a changed file has another one. */
  blob: string;
  /** Every action the upstream policy grants (sorted), whichever statement it is in. */
  actions: string[];
}

/** The ServiceAccount the add-on's chart creates by default, and the chart value that annotates it. */
export interface ChartServiceAccount {
  namespace: string;
  name: string;
  /** `repo/chart` as the add-on's docs install it. */
  chart: string;
  /** The Helm value holding the ServiceAccount's annotations. */
  annotationsValue: string;
  /**
   * Other values the preset relies on (`--set` form), e.g. the cluster name the add-on tags with; `<clusterName>`,
   * `<vpcId>`, `<region>`, `<bucket>`, `<prefix>` and `<zoneIdFilters>` stand for the preset's values. A function
   * when they depend on the preset's options.
   */
  alsoSet?: string[] | ((ctx: PresetContext) => string[]);
}

/** Everything a preset's statements depend on, defaults applied. */
export interface PresetContext {
  env: AwsEnvironment;
  clusterName: string;
  vpcId: string;
  hostedZoneIds: string[];
  domainFilters: string[];
  kmsKeyArns: string[];
  fileSystemIds: string[];
  bucket: string;
  prefix: string;
  clusterScoped: boolean;
}

/** One statement of a preset before its Sid is prefixed: `residual` says why it stays on every resource of a type. */
export interface PresetStatement {
  /** Unique in the preset: the statement's Sid is `EksIrsa<code><sid>`. */
  sid: string;
  effect?: "Allow";
  actions: string[];
  resources: string[];
  conditions?: ConditionBlock;
  /** Why this statement is on `*` (or every resource of a type): listed in the plan and the access report. */
  residual?: string;
}

/** A request the add-on makes (or a near variant of it), with the decision the preset must give it. */
export interface PresetProbe {
  label: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  expect: "Allowed" | "Denied";
}

export interface PresetDefinition {
  name: AddonPresetName;
  /** Prefix of its statements' Sids (`EksIrsa<code>...`), letters and digits. */
  code: string;
  /** The add-on, as its docs name it. */
  title: string;
  upstream: UpstreamPin[];
  /** Upstream actions the preset does not grant, and why. */
  notGranted: Record<string, string>;
  /** Actions the preset grants that its upstream policy does not, and why. */
  added?: Record<string, string>;
  serviceAccount: ChartServiceAccount;
  /** Inputs it must have (beyond `clusterName`, which defaults to the workload's when `usesClusterName`). */
  required: PresetInputKey[];
  optional: PresetInputKey[];
  /** Services whose requests count as us-east-1 (`aws:RequestedRegion`): the allowedRegions guardrail must allow it. */
  globalServices?: string[];
  /** Input combinations whose statements differ in shape (for the residual shapes): booleans and optional lists. */
  variants?: Partial<Record<PresetInputKey, unknown>>[];
  statements(ctx: PresetContext): PresetStatement[];
  probes(ctx: PresetContext): PresetProbe[];
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in the context's environment. */
export function arnIn(ctx: PresetContext, service: string, resource: string, scope: { region?: boolean; account?: boolean } = {}): string {
  const region = scope.region === false ? "" : ctx.env.region;
  const account = scope.account === false ? "" : ctx.env.accountId;
  return `arn:${ctx.env.partition}:${service}:${region}:${account}:${resource}`;
}

/** The statement's Sid as registered. */
export function presetSid(def: Pick<PresetDefinition, "code">, sid: string): string {
  return `EksIrsa${def.code}${sid}`;
}

/** A preset statement as an IAM statement. */
export function toStatement(def: Pick<PresetDefinition, "code">, s: PresetStatement): Statement {
  const one = (v: string[]) => (v.length === 1 ? v[0] : v);
  return {
    Sid: presetSid(def, s.sid),
    Effect: "Allow",
    Action: one([...s.actions].sort()),
    Resource: one(s.resources),
    ...(s.conditions ? { Condition: s.conditions } : {}),
  };
}
