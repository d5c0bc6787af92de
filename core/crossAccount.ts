/** What a pod needs to use a cross-account role: an AWS config file with one profile per target role. */
import type { TargetRolePlan } from "./plan";

/** Where the EKS pod identity webhook mounts the projected ServiceAccount token. */
export const WEB_IDENTITY_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
/** The profile of the workload's own IRSA role, which chained profiles start from. */
export const SOURCE_PROFILE = "irsa";
/** Where the README tells pods to mount the ConfigMap; `AWS_CONFIG_FILE` points at `config` in it. */
export const AWS_CONFIG_MOUNT = "/etc/aws";

export function profileName(target: string, role: string): string {
  return `${target}-${role}`;
}

export function awsConfigMapName(workload: string): string {
  return `${workload}-aws-config`;
}

/**
 * The AWS config file of one source workload: its own web-identity profile and, per target role, a profile
 * that chains from it (`source_profile`, mode chained) or exchanges the same token directly (mode oidc).
 * Select one with `AWS_PROFILE=<target>-<role>` (or the SDK's profile option).
 */
export function awsConfigFile(workload: string, sourceRoleArn: string, region: string, targets: TargetRolePlan[]): string {
  const lines = [
    `# AWS profiles of workload ${workload}, written by eks-irsa. Mount at ${AWS_CONFIG_MOUNT} and set`,
    `# AWS_CONFIG_FILE=${AWS_CONFIG_MOUNT}/config and AWS_PROFILE to one of the profiles below.`,
    `[profile ${SOURCE_PROFILE}]`,
    `role_arn = ${sourceRoleArn}`,
    `web_identity_token_file = ${WEB_IDENTITY_TOKEN_FILE}`,
    `region = ${region}`,
    `sts_regional_endpoints = regional`,
  ];
  for (const t of [...targets].sort((a, b) => profileName(a.target, a.role).localeCompare(profileName(b.target, b.role)))) {
    lines.push("", `# account ${t.accountId}, mode ${t.mode}`, `[profile ${profileName(t.target, t.role)}]`, `role_arn = ${t.roleArn}`);
    lines.push(t.mode === "chained" ? `source_profile = ${SOURCE_PROFILE}` : `web_identity_token_file = ${WEB_IDENTITY_TOKEN_FILE}`);
    lines.push(`role_session_name = ${workload}`, `region = ${region}`, `sts_regional_endpoints = regional`);
  }
  return `${lines.join("\n")}\n`;
}
