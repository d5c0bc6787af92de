/**
 * The add-on presets: their inputs checked field by field, their statements for an environment (each with its
 * `EksIrsa<code><name>` Sid), and, for whoever reads registered documents (the plan, the access report, the policy
 * pack), which statements are a preset's residual `*` statements and whether they still carry the preset's conditions.
 */
import { asList, type Statement } from "../document";
import type { AwsEnvironment, Partition } from "../environment";
import type { Checker } from "../check";
import type { FieldPath } from "../problems";
import { RULES } from "../rules";
import { globMatch } from "../trustEval";
import { awsLoadBalancerController } from "./awsLoadBalancerController";
import { certManager } from "./certManager";
import { clusterAutoscaler } from "./clusterAutoscaler";
import { ebsCsi } from "./ebsCsi";
import { efsCsi } from "./efsCsi";
import { externalDns } from "./externalDns";
import { AddonPresetName, toStatement, type AddonPreset, type PresetContext, type PresetDefinition, type PresetInputKey, type PresetProbe } from "./preset";
import { velero } from "./velero";
import { vpcCni } from "./vpcCni";

export { AddonPresetName, type AddonPreset, type ChartServiceAccount, type PresetDefinition, type PresetProbe, type UpstreamPin } from "./preset";

export const PRESETS: Record<AddonPresetName, PresetDefinition> = {
  "aws-load-balancer-controller": awsLoadBalancerController,
  "ebs-csi": ebsCsi,
  "efs-csi": efsCsi,
  "external-dns": externalDns,
  "cert-manager": certManager,
  "cluster-autoscaler": clusterAutoscaler,
  "vpc-cni": vpcCni,
  velero,
};

export const PRESET_NAMES = Object.values(AddonPresetName);

/** Every input a preset may take, in the order messages list them. */
export const PRESET_INPUT_KEYS = ["clusterName", "vpcId", "hostedZoneIds", "domainFilters", "kmsKeyArns", "fileSystemIds", "bucket", "prefix", "clusterScoped"] as const satisfies readonly PresetInputKey[];

const ID_RULES = {
  vpcId: { what: "VPC id (vpc- and 8 or 17 hexadecimal characters)", test: (v: string) => /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(v) },
  hostedZoneId: { what: "Route 53 hosted zone id (Z and up to 31 uppercase letters and digits; not /hostedzone/... or an ARN)", test: (v: string) => /^Z[A-Z0-9]{1,31}$/.test(v) },
  fileSystemId: { what: "EFS file system id (fs- and 8 to 40 hexadecimal characters)", test: (v: string) => /^fs-[0-9a-f]{8,40}$/.test(v) },
  domainFilter: {
    what: "DNS name as Route 53 normalizes it (lowercase labels, no trailing dot), optionally starting with a * wildcard, e.g. *.example.com",
    test: (v: string) => v.length <= 255 && /^(\*\.?)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(v),
  },
};

/** Whether the preset's statements name the cluster (tag values, node group ARNs): then it needs a cluster name. */
function usesClusterName(def: PresetDefinition, input: Partial<AddonPreset>): boolean {
  return def.required.includes("clusterName") || (def.name === "ebs-csi" && input.clusterScoped === true);
}

/**
 * Checks a preset argument: its name, the inputs that preset takes (an input of another preset is an error, not
 * silently ignored), the required ones (the cluster name defaults to the workload's), and each value's form.
 */
export function checkPreset(c: Checker, at: FieldPath, value: unknown, workloadClusterName: string | undefined): void {
  if (!c.object(at, value)) return;
  c.known(at, value, ["name", ...PRESET_INPUT_KEYS]);
  if (!c.oneOf([...at, "name"], value.name, PRESET_NAMES, "add-on preset")) return;
  const def = PRESETS[value.name];
  const input = value as Partial<AddonPreset>;
  const takes = new Set<string>([...def.required, ...def.optional, ...(usesClusterName(def, input) ? ["clusterName"] : [])]);
  for (const key of PRESET_INPUT_KEYS) {
    if (value[key] !== undefined && !takes.has(key)) c.add([...at, key], `is not an input of preset ${def.name} (it takes ${[...takes].join(", ") || "none"})`);
  }
  for (const key of def.required) {
    if (key === "clusterName" && workloadClusterName !== undefined) continue;
    if (value[key] === undefined) c.add([...at, key], key === "clusterName" ? `is required by preset ${def.name} (or give the workload's clusterName)` : `is required by preset ${def.name}`);
  }
  if (usesClusterName(def, input) && !def.required.includes("clusterName") && value.clusterName === undefined && workloadClusterName === undefined) {
    c.add([...at, "clusterName"], `is required by preset ${def.name} with clusterScoped (or give the workload's clusterName)`);
  }
  c.name([...at, "clusterName"], value.clusterName, RULES.clusterName);
  c.name([...at, "vpcId"], value.vpcId, ID_RULES.vpcId);
  const ids = (key: string, rule: { what: string; test: (v: string) => boolean }) => {
    if (!c.list<unknown>([...at, key], value[key], (v, p) => c.name(p, v, rule, true))) return;
    const list = value[key] as unknown[];
    if (list.length === 0) c.add([...at, key], "must list at least one (leave it out when the preset does not need it)");
    list.forEach((v, i) => {
      if (list.indexOf(v) !== i) c.add([...at, key, i], `${JSON.stringify(v)} is listed twice`);
    });
  };
  ids("hostedZoneIds", ID_RULES.hostedZoneId);
  ids("domainFilters", ID_RULES.domainFilter);
  ids("fileSystemIds", ID_RULES.fileSystemId);
  if (c.list<unknown>([...at, "kmsKeyArns"], value.kmsKeyArns, (v, p) => c.arn(p, v, "kmsKey")) && (value.kmsKeyArns as unknown[]).length === 0) {
    c.add([...at, "kmsKeyArns"], "must list at least one key (leave it out for none)");
  }
  c.name([...at, "bucket"], value.bucket, RULES.s3Bucket);
  c.name([...at, "prefix"], value.prefix, RULES.s3Prefix);
  c.bool([...at, "clusterScoped"], value.clusterScoped);
}

/** The preset's inputs with every default applied, for an environment. */
export function presetContext(preset: AddonPreset, env: AwsEnvironment, workloadClusterName: string | undefined): PresetContext {
  return {
    env,
    clusterName: preset.clusterName ?? workloadClusterName ?? "",
    vpcId: preset.vpcId ?? "",
    hostedZoneIds: preset.hostedZoneIds ?? [],
    domainFilters: preset.domainFilters ?? [],
    kmsKeyArns: preset.kmsKeyArns ?? [],
    fileSystemIds: preset.fileSystemIds ?? [],
    bucket: preset.bucket ?? "",
    prefix: preset.prefix ?? "",
    clusterScoped: preset.clusterScoped ?? false,
  };
}

/** A preset as the access spec carries it: its inputs and the cluster name it defaults to. */
export interface PresetAccess {
  preset: AddonPreset;
  clusterName?: string;
}

/** The preset's statements in an environment, each with its Sid. */
export function presetStatements(access: PresetAccess, env: AwsEnvironment): Statement[] {
  const def = PRESETS[access.preset.name];
  return def.statements(presetContext(access.preset, env, access.clusterName)).map((s) => toStatement(def, s));
}

/** The requests the add-on makes and their near variants, for an environment. */
export function presetProbes(access: PresetAccess, env: AwsEnvironment): PresetProbe[] {
  return PRESETS[access.preset.name].probes(presetContext(access.preset, env, access.clusterName));
}

/** The chart values the preset relies on besides the ServiceAccount's annotations, filled in (`clusterName=shop`). */
export function chartValues(access: PresetAccess, region: string): string[] {
  const ctx = presetContext(access.preset, { partition: "aws", region, accountId: "" }, access.clusterName);
  const values: Record<string, string> = {
    clusterName: ctx.clusterName,
    vpcId: ctx.vpcId,
    region,
    bucket: ctx.bucket,
    prefix: ctx.prefix,
    zoneIdFilters: ctx.hostedZoneIds.map((z) => `--zone-id-filter=${z}`).join(","),
  };
  const alsoSet = PRESETS[access.preset.name].serviceAccount.alsoSet ?? [];
  return (typeof alsoSet === "function" ? alsoSet(ctx) : alsoSet).map((v) => v.replace(/<(\w+)>/g, (m, k: string) => values[k] ?? m));
}

/** Services of the preset whose requests count as us-east-1 for `aws:RequestedRegion`. */
export function presetGlobalServices(name: AddonPresetName): string[] {
  return PRESETS[name].globalServices ?? [];
}

interface ShapeCondition {
  operator: string;
  key: string;
  values: string[];
}

/** A preset statement with every input a wildcard: what any instance of it looks like. */
interface Shape {
  preset: AddonPresetName;
  sid: string;
  actions: string[];
  resources: string[];
  conditions: ShapeCondition[];
  residual?: string;
}

const WILDCARD_ENV = { partition: "*" as Partition, region: "*", accountId: "*", dnsSuffix: "*" };

function wildcardContext(variant: Partial<Record<PresetInputKey, unknown>>): PresetContext {
  return {
    env: WILDCARD_ENV,
    clusterName: "*",
    vpcId: "*",
    hostedZoneIds: ["*"],
    domainFilters: [],
    kmsKeyArns: [],
    fileSystemIds: ["*"],
    bucket: "*",
    prefix: "",
    clusterScoped: false,
    ...variant,
  } as PresetContext;
}

let shapes: Shape[] | undefined;

function allShapes(): Shape[] {
  if (shapes) return shapes;
  shapes = [];
  for (const def of Object.values(PRESETS)) {
    for (const variant of def.variants ?? [{}]) {
      for (const s of def.statements(wildcardContext(variant))) {
        const statement = toStatement(def, s);
        const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, kv]) => Object.entries(kv).map(([key, v]) => ({ operator, key, values: asList(v) })));
        shapes.push({ preset: def.name, sid: statement.Sid!, actions: asList(statement.Action), resources: asList(statement.Resource), conditions, ...(s.residual ? { residual: s.residual } : {}) });
      }
    }
  }
  return shapes;
}

const NEGATED = /Not|^Null$/;

/** Why a statement is not an instance of the shape, or undefined when it is. */
function mismatch(statement: Statement, shape: Shape): string | undefined {
  if (statement.Effect !== "Allow" || statement.Action === undefined || statement.Resource === undefined) return "it is not an Allow statement with Action and Resource";
  const actions = shape.actions.map((a) => a.toLowerCase());
  const extra = asList(statement.Action).filter((a) => !actions.includes(a.toLowerCase()));
  if (extra.length > 0) return `it grants ${extra.join(", ")}, which the preset's statement does not`;
  const wider = asList(statement.Resource).filter((r) => !shape.resources.some((p) => globMatch(p, r)));
  if (wider.length > 0) return `it is on ${wider.join(", ")}, outside the preset's ${shape.resources.join(", ")}`;
  const given = Object.entries(statement.Condition ?? {}).flatMap(([operator, kv]) => Object.entries(kv).map(([key, v]) => ({ operator, key, values: asList(v) })));
  for (const want of shape.conditions) {
    const found = given.find((g) => g.operator === want.operator && globMatch(want.key, g.key, true));
    const text = `${want.operator} ${want.key}`;
    if (!found) return `it lacks the preset's condition ${text}`;
    const covered = NEGATED.test(want.operator)
      ? want.values.every((w) => found.values.some((v) => globMatch(w, v)))
      : found.values.every((v) => want.values.some((w) => globMatch(w, v)));
    if (!covered) return `its condition ${text} allows values the preset's does not (${found.values.join(", ")})`;
  }
  return undefined;
}

/** What a registered statement is to the presets: not theirs (undefined), or a preset's, with its residual reason. */
export interface PresetStatementMatch {
  preset: AddonPresetName;
  sid: string;
  /** Why the statement stays on every resource of a type, when it is one of the preset's residual statements. */
  residual?: string;
  /** Why the statement is not (any longer) what the preset registers: more actions or resources, a condition dropped. */
  mismatch?: string;
}

/** Reads a statement's Sid and checks the statement against the preset statement it names. */
export function presetStatementMatch(statement: Statement): PresetStatementMatch | undefined {
  const sid = statement.Sid;
  if (!sid || !sid.startsWith("EksIrsa")) return undefined;
  const candidates = allShapes().filter((s) => s.sid === sid);
  if (candidates.length === 0) return undefined;
  const reasons = candidates.map((shape) => mismatch(statement, shape));
  const at = reasons.findIndex((r) => r === undefined);
  const shape = candidates[at >= 0 ? at : 0];
  return { preset: shape.preset, sid, ...(shape.residual ? { residual: shape.residual } : {}), ...(at >= 0 ? {} : { mismatch: reasons[0] }) };
}
