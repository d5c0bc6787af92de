import { asList } from "../../core/document";
import { SHARED_BINDING_TAG } from "../../core/plan";
import { evaluateTrust, UnsupportedConditionError, webIdentityRequest } from "../../core/trustEval";
import { claimConditions, classify, federatedOf, providerHost } from "../lib/oidc";
import { isAllow, readString, trustOf } from "../lib/documents";
import { toPolicy, type CheckedResource, type StackRule, type Violation } from "../lib/rule";

interface Config {
  /** Role names allowed to be trusted by several ServiceAccounts (or a pattern). */
  sharedRoles: string[];
}


function annotations(sa: CheckedResource): Record<string, string> {
  try {
    const md = sa.props.metadata as { annotations?: Record<string, string> } | undefined;
    return { ...(md?.annotations ?? {}) };
  } catch {
    return {};
  }
}

export const serviceAccountRoleTrustMismatch: StackRule<Config> = {
  kind: "stack",
  name: "service-account-role-trust-mismatch",
  description: "Every ServiceAccount annotated with eks.amazonaws.com/role-arn must be trusted by that role; a role trusted by several ServiceAccounts (or a pattern) must be declared (sharedRoles, or a pattern workload of eks-irsa).",
  enforcementLevel: "mandatory",
  defaults: { sharedRoles: [] },
  configSchema: { properties: { sharedRoles: { type: "array", items: { type: "string" } } } },
  check(resources, config) {
    const out: Violation[] = [];
    const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
    // A patch annotates a ServiceAccount someone else created (serviceAccountMode: annotated): held to the same trust.
    for (const sa of resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" || r.type === "kubernetes:core/v1:ServiceAccountPatch")) {
      const roleArn = annotations(sa)["eks.amazonaws.com/role-arn"];
      if (!roleArn) continue;
      const role = roles.find((r) => readString(r.props, "arn") === roleArn);
      const trust = role ? trustOf(role.type, role.props) : undefined;
      if (!role || trust?.kind !== "document") continue;
      const md = sa.props.metadata as { name?: string; namespace?: string };
      const sub = `system:serviceaccount:${md.namespace ?? "default"}:${md.name ?? sa.name}`;
      const audience = annotations(sa)["eks.amazonaws.com/audience"] ?? "sts.amazonaws.com";
      const providers = trust.document.Statement.flatMap(federatedOf);
      let trusted: boolean;
      try {
        trusted = providers.some((p) => evaluateTrust(trust.document, webIdentityRequest(p, providerHost(p) ?? p, { sub, aud: audience })) === "Allowed");
      } catch (e) {
        // An operator the evaluator does not model (dates, IP ranges): the other trust rules still read the
        // statement; this one cannot decide, and a false mandatory violation would block a sound role.
        if (e instanceof UnsupportedConditionError) continue;
        throw e;
      }
      if (!trusted) out.push({ resource: sa, message: `ServiceAccount ${md.namespace}/${md.name} is annotated with ${roleArn}, whose trust does not admit ${sub}: pods would fail to get credentials` });
    }
    for (const role of roles) {
      const trust = trustOf(role.type, role.props);
      if (trust.kind !== "document") continue;
      // One ServiceAccount on several clusters (one statement per issuer, blue/green) is still one.
      const subjects = [...new Set(trust.document.Statement.filter((s) => isAllow(s) && classify(s) === "irsa").flatMap((s) => claimConditions(s, "sub").flatMap((c) => c.values)))];
      const several = subjects.length > 1 || subjects.some((v) => /[*?]/.test(v));
      const name = readString(role.props, "name") ?? role.name;
      const tags = (role.props.tags ?? {}) as Record<string, string>;
      if (several && !config.sharedRoles.includes(name) && !tags[SHARED_BINDING_TAG]) {
        out.push({ resource: role, message: `role ${name} is trusted by several ServiceAccounts (${asList(subjects).join(", ")}); declare it in sharedRoles if that is intended` });
      }
    }
    return out;
  },
};

export const policy = toPolicy(serviceAccountRoleTrustMismatch);
