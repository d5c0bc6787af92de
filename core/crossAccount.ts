/** What a pod needs to use a cross-account role: an AWS config file with one profile per target role. */
import { parseArn } from "./arn";
import type { ChainedRole } from "./workload";

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
 * The AWS config file of one source workload of chained targets: its own web-identity profile and, per target
 * role, a profile that chains from it (`source_profile`). The EKS webhook also sets AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE for the workload's own role; SDKs that read those before AWS_PROFILE (Go, Java)
 * must be given the profile in code. Mode oidc needs no profile: a dedicated ServiceAccount carries the role.
 */
export function awsConfigFile(workload: string, sourceRoleArn: string, region: string, chained: ChainedRole[], podIdentity = false): string {
  const lines = [
    `# AWS profiles of workload ${workload}, written by eks-irsa. Mount at ${AWS_CONFIG_MOUNT}, set`,
    `# AWS_CONFIG_FILE=${AWS_CONFIG_MOUNT}/config and pick a profile below: AWS_PROFILE (AWS CLI, Python, JavaScript)`,
    `# or in code (Go: config.WithSharedConfigProfile, Java: ProfileCredentialsProvider.create).`,
  ];
  // Pod Identity serves the workload's own role as container credentials: chained profiles start from those.
  if (!podIdentity) {
    lines.push(`[profile ${SOURCE_PROFILE}]`, `role_arn = ${sourceRoleArn}`, `web_identity_token_file = ${WEB_IDENTITY_TOKEN_FILE}`, `region = ${region}`, `sts_regional_endpoints = regional`);
  }
  for (const t of [...chained].sort((a, b) => a.profile.localeCompare(b.profile))) {
    const source = podIdentity ? "credential_source = EcsContainer" : `source_profile = ${SOURCE_PROFILE}`;
    lines.push("", `# account ${parseArn(t.roleArn)?.account ?? "?"}`, `[profile ${t.profile}]`, `role_arn = ${t.roleArn}`, source);
    lines.push(`role_session_name = ${workload}`, `region = ${region}`, `sts_regional_endpoints = regional`);
  }
  return `${lines.join("\n")}\n`;
}
