/**
 * Valid but risky resources, each with the advisory rule it must draw (and no mandatory finding): the pack's
 * counterpart of the plan's warnings. Registered-resource shaped, as test/fixtures/badResources.ts.
 */
import type { RegisteredResource } from "../../tools/offline";
import { HOST, irsa, policy, role } from "../fixtures/badResources";

/** A pattern workload's role, as eks-irsa registers it (declared through its binding tag). */
export const patternRole = (name: string, sub: string) =>
  role(name, irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${HOST}:sub`]: sub } }), { tags: { "eks-irsa:binding": "pattern" } });

export const RISKY_FIXTURES: { rule: string; why: string; resources: RegisteredResource[] }[] = [
  { rule: "workload-access-risky", why: "a ServiceAccount pattern in default", resources: [patternRole("jobs", "system:serviceaccount:default:job-*")] },
  { rule: "workload-access-risky", why: "every ServiceAccount of kube-system", resources: [patternRole("addons", "system:serviceaccount:kube-system:*")] },
  {
    rule: "workload-access-risky",
    why: "PutObject and DeleteObject on a whole bucket (no prefix)",
    resources: [policy("thumbs-access", [{ Effect: "Allow", Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::orion-media-thumbs/*" }])],
  },
  {
    rule: "workload-access-risky",
    why: "s3:Put* on a whole bucket with dots and digits in its name, in another partition",
    resources: [policy("gov-access", [{ Effect: "Allow", Action: "s3:Put*", Resource: ["arn:aws-us-gov:s3:::my.bucket.1/*", "arn:aws-us-gov:s3:::my.bucket.1"] }])],
  },
];
