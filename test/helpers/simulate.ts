/** Evaluates permission documents with a real IAM evaluator (@cloud-copilot/iam-simulate). */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../core/document";

export const ACCOUNT = "111122223333";
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/test-role`;

export interface Probe {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  principal?: string;
  /** Resource owner; defaults to the principal's account. */
  resourceAccount?: string;
}

/** The overall decision for one request against identity documents (and optionally a resource/trust policy). */
export async function decide(documents: PolicyDocument[], probe: Probe, resourcePolicy?: PolicyDocument): Promise<string> {
  const principal = probe.principal ?? ROLE;
  const response = await runSimulation(
    {
      identityPolicies: documents.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action: probe.action,
        principal,
        resource: { resource: probe.resource, accountId: probe.resourceAccount ?? /:(\d{12}):/.exec(principal)![1] },
        contextVariables: { "aws:SecureTransport": "true", "aws:RequestedRegion": "us-east-1", ...probe.context },
      },
    },
    {},
  );
  if (response.resultType === "error") throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}
