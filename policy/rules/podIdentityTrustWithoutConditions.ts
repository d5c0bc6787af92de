import { REQUEST_TAG, TAGS, conditionsOn, isPodIdentityStatement, pins } from "../lib/podIdentity";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/**
 * A `pods.eks.amazonaws.com` trust statement without conditions lets any association that anyone with
 * `iam:PassRole` creates, on any cluster of the account, use the role (eksctl's migration writes exactly that).
 * It must pin the cluster (`aws:RequestTag/eks-cluster-arn` or `aws:SourceArn`) and, with session tags, the
 * namespace and ServiceAccount (`aws:RequestTag/kubernetes-namespace`, `.../kubernetes-service-account`). The one
 * form without them is a trust for associations that disable session tags: the cluster by `aws:SourceArn` and no
 * request tag at all (the association then names the namespace and ServiceAccount).
 */
export const podIdentityTrustWithoutConditions: ResourceRule = {
  kind: "resource",
  name: "pod-identity-trust-without-conditions",
  description:
    "A pods.eks.amazonaws.com trust statement must pin the cluster (aws:RequestTag/eks-cluster-arn or aws:SourceArn) and, with session tags, the namespace and ServiceAccount (aws:RequestTag/kubernetes-namespace and kubernetes-service-account), with exact values.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      if (!isPodIdentityStatement(s)) return [];
      const where = `trust statement ${i} (pods.eks.amazonaws.com)`;
      const cluster = pins(s, REQUEST_TAG(TAGS.clusterArn)) || pins(s, "aws:SourceArn");
      const requestTags = Object.values(s.Condition ?? {}).some((kv) => Object.keys(kv).some((k) => k.toLowerCase().startsWith("aws:requesttag/")));
      const namespace = pins(s, REQUEST_TAG(TAGS.namespace));
      const serviceAccount = pins(s, REQUEST_TAG(TAGS.serviceAccount));
      const untagged = pins(s, "aws:SourceArn") && !requestTags;
      const out: string[] = [];
      if (!s.Condition || Object.keys(s.Condition).length === 0) return [`${where}: no condition: any Pod Identity association in the account (created by anyone with iam:PassRole) may use the role`];
      if (!cluster) out.push(`${where}: no exact cluster condition (aws:RequestTag/eks-cluster-arn or aws:SourceArn): associations on any cluster of the account may use the role`);
      if (!untagged && !(namespace && serviceAccount)) {
        const missing = [!namespace && TAGS.namespace, !serviceAccount && TAGS.serviceAccount].filter(Boolean).join(" and ");
        out.push(`${where}: no exact aws:RequestTag/${missing} condition: any ServiceAccount's association on the cluster may use the role`);
      }
      const loose = [REQUEST_TAG(TAGS.clusterArn), REQUEST_TAG(TAGS.namespace), REQUEST_TAG(TAGS.serviceAccount), "aws:SourceArn", "aws:SourceAccount"].flatMap((k) =>
        conditionsOn(s, k).filter((c) => /IfExists$|^For(Any|All)Value/.test(c.op)).map((c) => `${c.op} on ${k}`),
      );
      for (const l of loose) out.push(`${where}: ${l} is true when the key is absent or for any one value: use StringEquals (ArnEquals for aws:SourceArn)`);
      return out;
    });
  },
};

export const policy = toPolicy(podIdentityTrustWithoutConditions);
