/** Synthetic environments for the benchmark: a realistic mix of grants and bindings, deterministic per size. */

export function syntheticConfig(workloads: number): Record<string, unknown> {
  const list = Array.from({ length: workloads }, (_, i) => {
    const team = `team-${i % 25}`;
    const w: Record<string, unknown> = { name: `svc-${i}`, namespace: team };
    if (i % 10 === 9) {
      w.serviceAccount = `job-${i}-*`;
    }
    if (i % 2 === 0) w.s3 = [{ bucket: `acme-data-${i % 40}`, prefix: `${team}/svc-${i}/`, access: i % 4 === 0 ? "read-write" : "read" }];
    if (i % 3 === 0) w.dynamodb = [{ table: `table-${i}`, access: "read-write", indexes: i % 6 === 0 ? ["by-owner", "by-date"] : undefined }];
    if (i % 5 === 0) w.secrets = [{ name: `${team}/svc-${i}/db` }, { prefix: `${team}/shared/` }];
    if (!w.s3 && !w.dynamodb && !w.secrets) w.s3 = [{ bucket: "acme-static", prefix: `svc-${i}/`, access: "read" }];
    return JSON.parse(JSON.stringify(w)) as Record<string, unknown>;
  });
  return {
    "aws:region": "us-east-1",
    "eks-irsa:cluster": {
      name: "bench",
      oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
      oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    },
    "eks-irsa:quotas": { rolesPerAccount: 5000 },
    "eks-irsa:workloads": list,
  };
}
