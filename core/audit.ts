/**
 * What the audit alarm watches: CloudTrail's `AssumeRoleWithWebIdentity` events that failed, for this stack's roles
 * or OIDC providers, as CloudWatch Logs metric filter patterns. `AccessDenied` is a trust that does not admit the
 * token (namespace, ServiceAccount, audience, issuer); `InvalidIdentityToken` a provider or token problem (no IAM OIDC
 * provider for the issuer, an expired or foreign token).
 */
import { Checker } from "./check";
import type { Problem } from "./problems";
import { RULES } from "./rules";

/** The error codes alarmed on, each with its metric name. */
export const AUDITED_ERRORS = [
  { code: "AccessDenied", metric: "AssumeRoleWithWebIdentityAccessDenied", meaning: "the role's trust does not admit the token (namespace, ServiceAccount, audience or issuer)" },
  { code: "InvalidIdentityToken", metric: "AssumeRoleWithWebIdentityInvalidToken", meaning: "no IAM OIDC provider for the token's issuer, or a token IAM cannot verify" },
] as const;

export interface AuditTargets {
  /** The IAM OIDC provider ARNs of the stack's clusters (`userIdentity.identityProvider` when CloudTrail records it). */
  providerArns: string[];
  /** The role ARNs watched, `*` allowed at the end (`requestParameters.roleArn`, which every event carries). */
  roleArnPatterns: string[];
}

/** A CloudWatch Logs JSON filter pattern for failed web-identity calls with one error code. */
export function failurePattern(errorCode: string, targets: AuditTargets): string {
  const who = [
    ...targets.roleArnPatterns.map((r) => `($.requestParameters.roleArn = "${r}")`),
    ...targets.providerArns.map((p) => `($.userIdentity.identityProvider = "${p}")`),
  ];
  const scope = who.length > 0 ? ` && (${who.join(" || ")})` : "";
  return `{ ($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRoleWithWebIdentity") && ($.errorCode = "${errorCode}")${scope} }`;
}

/** CloudWatch Logs allows filter patterns of up to 1,024 characters. */
export const FILTER_PATTERN_CHARS = 1024;

export const LOG_GROUP = { what: "log group name (1-512 letters, digits and ._-/#)", test: (v: string) => /^[.\-_/#A-Za-z0-9]{1,512}$/.test(v) };
export const METRIC_NAMESPACE = { what: "metric namespace (1-255 letters, digits and ./_#:-, not starting with AWS/)", test: (v: string) => /^[A-Za-z0-9./_#:-]{1,255}$/.test(v) && !v.startsWith("AWS/") };

/** The audit alarm's arguments (the AuditAlarm component's). */
export const AUDIT_ALARM_ARGS = ["logGroupName", "oidcProviderArns", "roleNamePrefix", "rolePath", "alarmTopicArn", "metricNamespace", "threshold"] as const;

/** Problems of the audit alarm's plain arguments (provider ARNs given as Outputs are checked by their producer). */
export function auditAlarmProblems(args: Partial<Record<(typeof AUDIT_ALARM_ARGS)[number], unknown>>): Problem[] {
  const c = new Checker();
  if (!c.object([], args)) return c.problems;
  c.known([], args as Record<string, unknown>, AUDIT_ALARM_ARGS);
  c.name(["logGroupName"], args.logGroupName, LOG_GROUP, true);
  c.arn(["alarmTopicArn"], args.alarmTopicArn, "snsTopic");
  c.name(["metricNamespace"], args.metricNamespace, METRIC_NAMESPACE);
  c.int(["threshold"], args.threshold, 1, 100000);
  c.name(["roleNamePrefix"], args.roleNamePrefix, { what: "role name prefix (1-63 characters: letters, digits and +=,.@_-)", test: (v) => /^[\w+=,.@-]{1,63}$/.test(v) });
  c.name(["rolePath"], args.rolePath, RULES.iamPath);
  if (Array.isArray(args.oidcProviderArns)) {
    const partitions = new Set<string>();
    args.oidcProviderArns.forEach((arn, i) => {
      if (typeof arn === "string" && c.arn(["oidcProviderArns", i], arn, "oidcProvider")) partitions.add(arn.split(":")[1]);
    });
    if (partitions.size > 1) c.add(["oidcProviderArns"], `name providers of ${partitions.size} partitions (${[...partitions].join(", ")}): one trail's log group holds one partition's calls`);
  }
  return c.problems;
}

/** The clusters a stack's audit alarm sizes its patterns for: each one's issuer (host and path), when known. */
export interface AuditedCluster {
  issuer?: string;
}

/**
 * Why the audit alarm's filter patterns would be over CloudWatch Logs' limit, before anything is registered: one
 * provider clause per IRSA cluster, the roles' ARN prefix. Account ids are 12 digits and an EKS issuer's id 32
 * characters, so the length is known from the config alone.
 */
export function auditPatternProblem(clusters: AuditedCluster[], region: string, partition: string, rolePath: string, roleNamePrefix: string): string | undefined {
  const account = "0".repeat(12);
  const providerArns = clusters.map((k) => `arn:${partition}:iam::${account}:oidc-provider/${k.issuer ?? `oidc.eks.${region}.amazonaws.com/id/${"0".repeat(32)}`}`);
  const roleArnPatterns = [`arn:${partition}:iam::${account}:role${rolePath}${roleNamePrefix}*`];
  const longest = Math.max(...AUDITED_ERRORS.map((x) => failurePattern(x.code, { providerArns, roleArnPatterns }).length));
  if (longest <= FILTER_PATTERN_CHARS) return undefined;
  return `its filter patterns would be ${longest} characters for the IAM OIDC providers of ${clusters.length} clusters, over CloudWatch Logs' ${FILTER_PATTERN_CHARS}: alarm per stack with fewer clusters using IRSA`;
}
