import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import { foreignPartitionProblems } from "../core/arn";
import { AUDITED_ERRORS, auditAlarmProblems, failurePattern, FILTER_PATTERN_CHARS } from "../core/audit";
import { ArgsError } from "../core/problems";
import { awsEnvironmentOf } from "./awsEnvironment";
import { requireObjectArgs } from "./internal";

export interface AuditAlarmArgs {
  /** The CloudWatch Logs log group a CloudTrail trail delivers to; the trail must cover every region the pods' STS calls land in. */
  logGroupName: string;
  /** The IAM OIDC providers of the clusters whose failed web-identity calls are counted (may be empty with `roleNamePrefix`). */
  oidcProviderArns: pulumi.Input<string>[];
  /** Watch the roles whose names start with this (eks-irsa names them `<cluster>-<workload>`, so `<cluster>-`). @default the providers only */
  roleNamePrefix?: string;
  /** The IAM path of those roles. @default "/" */
  rolePath?: string;
  /** SNS topic the alarms notify. @default none: the alarm's state only */
  alarmTopicArn?: string;
  /** CloudWatch namespace of the metrics. @default "EKS/IRSA" */
  metricNamespace?: string;
  /** Failed calls within 5 minutes that set off an alarm. @default 1 */
  threshold?: number;
}

/**
 * Metric filters and alarms on failed `AssumeRoleWithWebIdentity` calls, from CloudTrail's log group: one alarm for
 * `AccessDenied` (a trust that does not admit the pod's token), one for `InvalidIdentityToken` (no provider for the
 * issuer, a token IAM cannot verify), each also counted per role (a `RoleArn` dimension) for triage.
 *
 * ```ts
 * new AuditAlarm("shop-irsa-audit", { logGroupName: "aws-cloudtrail-logs", oidcProviderArns: [oidc.arn], roleNamePrefix: "shop-" });
 * ```
 */
export class AuditAlarm extends pulumi.ComponentResource {
  /** The filter patterns, by error code. */
  public readonly filterPatterns: pulumi.Output<Record<string, string>>;
  /** ARNs of the alarms (AccessDenied, then InvalidIdentityToken). */
  public readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: AuditAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    requireObjectArgs(`AuditAlarm ${JSON.stringify(name)}`, args);
    const problems = auditAlarmProblems(args);
    if (!Array.isArray(args.oidcProviderArns)) problems.push({ path: ["oidcProviderArns"], message: "expected a list of IAM OIDC provider ARNs" });
    else if (args.oidcProviderArns.length === 0 && args.roleNamePrefix === undefined) problems.push({ path: ["oidcProviderArns"], message: "must list at least one IAM OIDC provider ARN, or give roleNamePrefix: the alarm would watch nothing" });
    // Plain provider ARNs: the patterns' length is known now, before anything is registered (account ids are 12 digits).
    if (problems.length === 0 && args.oidcProviderArns.every((a) => typeof a === "string")) {
      const roleArnPatterns = args.roleNamePrefix ? [`arn:${(args.oidcProviderArns[0] as string | undefined)?.split(":")[1] ?? "aws"}:iam::${"0".repeat(12)}:role${args.rolePath ?? "/"}${args.roleNamePrefix}*`] : [];
      const longest = Math.max(...AUDITED_ERRORS.map((x) => failurePattern(x.code, { providerArns: args.oidcProviderArns as string[], roleArnPatterns }).length));
      if (longest > FILTER_PATTERN_CHARS) problems.push({ path: ["oidcProviderArns"], message: `the filter patterns would be up to ${longest} characters, over CloudWatch Logs' ${FILTER_PATTERN_CHARS}: watch fewer providers` });
    }
    if (problems.length > 0) throw new ArgsError(`AuditAlarm ${JSON.stringify(name)}`, problems);
    super("eks-irsa:index:AuditAlarm", name, {}, opts);
    const namespace = args.metricNamespace ?? "EKS/IRSA";
    const env = awsEnvironmentOf(this);
    const patterns = pulumi.all([env, pulumi.all(args.oidcProviderArns)]).apply(([e, providerArns]) => {
      // The partition is the provider's, known only now: an ARN of another one would never match an event.
      const foreign = foreignPartitionProblems([...providerArns.map((arn, i) => ({ path: ["oidcProviderArns", i], arn })), ...(args.alarmTopicArn ? [{ path: ["alarmTopicArn"], arn: args.alarmTopicArn }] : [])], e);
      if (foreign.length > 0) throw new ArgsError(`AuditAlarm ${JSON.stringify(name)}`, foreign);
      const roleArnPatterns = args.roleNamePrefix ? [`arn:${e.partition}:iam::${e.accountId}:role${args.rolePath ?? "/"}${args.roleNamePrefix}*`] : [];
      const out = Object.fromEntries(AUDITED_ERRORS.map((x) => [x.code, failurePattern(x.code, { providerArns, roleArnPatterns })]));
      for (const [code, pattern] of Object.entries(out)) {
        if (pattern.length > FILTER_PATTERN_CHARS) throw new ArgsError(`AuditAlarm ${JSON.stringify(name)}`, [{ path: ["oidcProviderArns"], message: `the ${code} filter pattern is ${pattern.length} characters, over CloudWatch Logs' ${FILTER_PATTERN_CHARS}: watch fewer providers` }]);
      }
      return out;
    });
    const alarms = AUDITED_ERRORS.map((x) => {
      const pattern = patterns.apply((p) => p[x.code]);
      new cloudwatch.LogMetricFilter(
        `${name}-${x.code}`,
        { name: `${name}-${x.code}`, logGroupName: args.logGroupName, pattern, metricTransformation: { name: x.metric, namespace, value: "1", defaultValue: "0" } },
        { parent: this },
      );
      // Dimensions cannot have a default value: a second filter counts the same events per role, for triage.
      new cloudwatch.LogMetricFilter(
        `${name}-${x.code}-by-role`,
        { name: `${name}-${x.code}-by-role`, logGroupName: args.logGroupName, pattern, metricTransformation: { name: `${x.metric}ByRole`, namespace, value: "1", dimensions: { RoleArn: "$.requestParameters.roleArn" } } },
        { parent: this },
      );
      return new cloudwatch.MetricAlarm(
        `${name}-${x.code}`,
        {
          name: `${name}-${x.code}`,
          alarmDescription: `Failed AssumeRoleWithWebIdentity (${x.code}): ${x.meaning}. Per role: metric ${x.metric}ByRole. Troubleshooting: docs/troubleshooting.md`,
          namespace,
          metricName: x.metric,
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: args.threshold ?? 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
          okActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
        },
        { parent: this },
      );
    });
    this.filterPatterns = patterns;
    this.alarmArns = pulumi.all(alarms.map((a) => a.arn));
    this.registerOutputs({ filterPatterns: this.filterPatterns, alarmArns: this.alarmArns });
  }
}
