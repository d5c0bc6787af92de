import { policySize } from "../../core/document";
import { LIMITS } from "../../core/layout";
import { permissionDocuments, trustOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** The account's trust policy quota (2,048 by default, up to 4,096). */
  trustPolicyQuota: number;
}

const INLINE_PER_ROLE = 10240;
/** AWS's size limit of one document, by the resource that carries it (inline limits are per principal in total). */
const DOCUMENT_LIMIT: Record<string, number> = {
  "aws:iam/policy:Policy": LIMITS.managedPolicyChars,
  "aws:iam/rolePolicy:RolePolicy": INLINE_PER_ROLE,
  "aws:iam/role:Role": INLINE_PER_ROLE,
  "aws:iam/userPolicy:UserPolicy": 2048,
  "aws:iam/groupPolicy:GroupPolicy": 5120,
};

export const policyOverSizeLimit: ResourceRule<Config> = {
  kind: "resource",
  name: "policy-over-size-limit",
  description: "Documents must fit AWS's quotas, counted without whitespace: trust policy (2,048 or the configured quota), managed policy 6,144, inline policies 10,240 per role, 5,120 per group, 2,048 per user.",
  enforcementLevel: "mandatory",
  defaults: { trustPolicyQuota: LIMITS.trustPolicyCharsDefault },
  configSchema: { properties: { trustPolicyQuota: { type: "number", minimum: 2048, maximum: 4096 } } },
  check({ type, props }, config) {
    const out: string[] = [];
    const trust = trustOf(type, props);
    if (trust.kind === "document" && policySize(trust.document) > config.trustPolicyQuota) {
      out.push(`trust policy is ${policySize(trust.document)} characters, over the ${config.trustPolicyQuota}-character quota`);
    }
    const limit = DOCUMENT_LIMIT[type] ?? INLINE_PER_ROLE;
    let inlineTotal = 0;
    for (const { where, read } of permissionDocuments(type, props)) {
      if (read.kind !== "document") continue;
      const size = policySize(read.document);
      inlineTotal += size;
      if (size > limit) out.push(`${where} is ${size} characters, over the ${limit}-character limit`);
    }
    if (type === "aws:iam/role:Role" && inlineTotal > INLINE_PER_ROLE) out.push(`inline policies total ${inlineTotal} characters, over ${INLINE_PER_ROLE} per role`);
    return out;
  },
};

export const policy = toPolicy(policyOverSizeLimit);
