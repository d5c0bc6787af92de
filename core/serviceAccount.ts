/**
 * Who owns a workload's ServiceAccount, and how to check from the cluster that a pod gets the role: the annotation to
 * look for, what the EKS pod identity webhook injects, and the identity `aws sts get-caller-identity` must print.
 */

/**
 * `created`: eks-irsa creates the ServiceAccount with the role annotation. `annotated`: it exists already (a Helm chart
 * or an operator made it) and eks-irsa patches the annotation in, server-side, owning nothing else. `external`: eks-irsa
 * touches nothing in Kubernetes; its owner sets the annotations (the `serviceAccountAnnotations` output).
 */
export const ServiceAccountMode = { Created: "created", Annotated: "annotated", External: "external" } as const;
export type ServiceAccountMode = (typeof ServiceAccountMode)[keyof typeof ServiceAccountMode];
export const SERVICE_ACCOUNT_MODES = [ServiceAccountMode.Created, ServiceAccountMode.Annotated, ServiceAccountMode.External] as const satisfies readonly ServiceAccountMode[];

/**
 * The mode a workload's arguments mean: `serviceAccountMode` when given; else `createServiceAccount` (true: created,
 * false: external, as before the modes existed); else external for a pattern or an add-on preset (its chart owns the
 * ServiceAccount), created when a Kubernetes provider can create it.
 */
export function serviceAccountModeOf(
  input: { serviceAccountMode?: ServiceAccountMode; createServiceAccount?: boolean; preset?: unknown },
  pattern: boolean,
  kubernetes: boolean,
): ServiceAccountMode {
  if (input.serviceAccountMode !== undefined) return input.serviceAccountMode;
  if (input.createServiceAccount !== undefined) return input.createServiceAccount ? "created" : "external";
  if (pattern || input.preset !== undefined) return "external";
  return kubernetes ? "created" : "external";
}

/** The webhook's token path in every mutated pod. */
export const TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
/** What the EKS Pod Identity webhook injects instead: the agent's endpoint and the pod's token. */
export const POD_IDENTITY_ENVIRONMENT = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
};

/** How to prove from the cluster that a workload's pods get its role. */
export interface VerificationRecipe {
  /** The command that prints the ServiceAccount's role annotation. */
  annotationCommand: string;
  /** What it must print: the role ARN. */
  annotation: string;
  /** What the EKS pod identity webhook injects into the pods of that ServiceAccount (created after the annotation). */
  environment: Record<string, string>;
  /** A throwaway pod running as the ServiceAccount that asks STS who it is. */
  callerIdentityCommand: string;
  /** The `Arn` it must print (the session name after the last `/` varies). */
  expectedCallerArn: string;
  /** The offline check of the same ServiceAccount (`npm run access`), which says why when it would fail. */
  explainCommand: string;
}

/** `arn:<partition>:iam::<account>:role/<path><name>` -> the STS assumed-role ARN its sessions show (no path). */
export function assumedRoleArn(roleArn: string): string {
  const m = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/<session>` : `<assumed-role ARN of ${roleArn}>`;
}

/**
 * The recipe for a ServiceAccount (a pattern shows as `<serviceaccount>`) annotated with `annotations`; with
 * `podIdentity`, for a role given by an EKS Pod Identity association instead (no annotation: the association is
 * what to look for; with a target role, the pods' identity is that role's).
 */
export function verificationRecipe(
  namespace: string,
  serviceAccount: string,
  annotations: Record<string, string>,
  stack = "<stack>",
  podIdentity?: { roleArn: string; clusterName?: string; targetRoleArn?: string },
): VerificationRecipe {
  const roleArn = podIdentity?.roleArn ?? annotations["eks.amazonaws.com/role-arn"] ?? "";
  const sa = serviceAccount.includes("*") ? "<serviceaccount>" : serviceAccount;
  const environment: Record<string, string> = podIdentity ? { ...POD_IDENTITY_ENVIRONMENT } : { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE };
  if (!podIdentity && annotations["eks.amazonaws.com/sts-regional-endpoints"] === "true") environment.AWS_STS_REGIONAL_ENDPOINTS = "regional";
  const overrides = JSON.stringify({ spec: { serviceAccountName: sa } });
  return {
    annotationCommand: podIdentity
      ? `aws eks list-pod-identity-associations --cluster-name ${podIdentity.clusterName ?? "<cluster>"} --namespace ${namespace} --service-account ${sa} --query 'associations[].associationArn'`
      : `kubectl -n ${namespace} get serviceaccount ${sa} -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'`,
    annotation: podIdentity ? `an association whose roleArn is ${roleArn} (aws eks describe-pod-identity-association)` : roleArn,
    environment,
    callerIdentityCommand: `kubectl -n ${namespace} run irsa-check --rm -i --restart=Never --image=public.ecr.aws/aws-cli/aws-cli --overrides='${overrides}' -- sts get-caller-identity`,
    expectedCallerArn: assumedRoleArn(podIdentity?.targetRoleArn ?? roleArn),
    // EKS assumes a Pod Identity role with sts:AssumeRole: no web identity token to check.
    explainCommand: `npm run access -- ${stack} --explain ${namespace}/${sa} ${podIdentity ? "sts:AssumeRole" : "sts:AssumeRoleWithWebIdentity"} ${roleArn}`,
  };
}
