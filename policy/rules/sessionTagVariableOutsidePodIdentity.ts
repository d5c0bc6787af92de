import { asList } from "../../core/document";
import { ABAC_TAGS, POD_IDENTITY_SERVICE } from "../../core/podIdentity";
import { principalTagVariables } from "../lib/podIdentity";
import { isAllow, permissionDocuments, readDocument, readString, trustOf } from "../lib/documents";
import { toPolicy, type CheckedResource, type StackRule, type Violation } from "../lib/rule";

/**
 * ABAC on Pod Identity session tags: a shared role's policy may key S3 prefixes and secret paths on
 * `${aws:PrincipalTag/kubernetes-namespace}` and `${aws:PrincipalTag/eks-cluster-name}` only (names are unique in
 * their scope; a pod name or uid is not an access boundary), and only in a role nothing but Pod Identity assumes:
 * IRSA sets no session tags, so such a statement matches nothing there (or, with a tag of the role itself, the same
 * thing for every pod).
 */
export const sessionTagVariableOutsidePodIdentity: StackRule = {
  kind: "stack",
  name: "session-tag-variable-outside-pod-identity",
  description:
    "A permission policy may use ${aws:PrincipalTag/kubernetes-namespace} and ${aws:PrincipalTag/eks-cluster-name} only, and only in a role assumed by EKS Pod Identity alone (IRSA sets no session tags).",
  enforcementLevel: "mandatory",
  defaults: {},
  check(resources) {
    const out: Violation[] = [];
    const roles = new Map(resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => [readString(r.props, "name") ?? r.name, r]));
    const policies = new Map(resources.filter((r) => r.type === "aws:iam/policy:Policy").map((r) => [readString(r.props, "arn"), r]));
    const list = (r: CheckedResource, key: string): unknown[] => {
      try {
        const v = r.props[key];
        return Array.isArray(v) ? v : [];
      } catch {
        return [];
      }
    };
    // Every way a program gives a role permissions: RolePolicy, the role's own inlinePolicies and managedPolicyArns,
    // RolePolicyAttachment and PolicyAttachment (by the role's name or ARN).
    const documentsOf = (role: CheckedResource, roleName: string): { where: CheckedResource; text: string }[] => {
      const names = [roleName, readString(role.props, "arn")].filter((n): n is string => n !== undefined);
      const attachedArns = [
        ...list(role, "managedPolicyArns"),
        ...resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && names.includes(readString(r.props, "role") ?? "")).map((a) => readString(a.props, "policyArn")),
        ...resources.filter((r) => r.type === "aws:iam/policyAttachment:PolicyAttachment" && list(r, "roles").some((x) => typeof x === "string" && names.includes(x))).map((a) => readString(a.props, "policyArn")),
      ];
      return [
        ...resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && names.includes(readString(r.props, "role") ?? "")).map((r) => ({ where: r, read: readDocument(r.props, "policy") })),
        ...permissionDocuments(role.type, role.props).map(({ read }) => ({ where: role, read })),
        ...[...new Set(attachedArns)].flatMap((arn) => {
          const p = typeof arn === "string" ? policies.get(arn) : undefined;
          return p ? [{ where: p, read: readDocument(p.props, "policy") }] : [];
        }),
      ].flatMap(({ where, read }) => (read.kind === "document" ? [{ where, text: JSON.stringify(read.document) }] : []));
    };
    for (const [name, role] of roles) {
      const docs = documentsOf(role, name);
      const variables = [...new Set(docs.flatMap((d) => principalTagVariables(d.text)))];
      if (variables.length === 0) continue;
      for (const v of variables.filter((x) => !ABAC_TAGS.includes(x))) {
        out.push({ resource: role, message: `role ${name}: \${aws:PrincipalTag/${v}} is not an access boundary eks-irsa accepts: key shared access on \${aws:PrincipalTag/kubernetes-namespace} (and eks-cluster-name)` });
      }
      const trust = trustOf(role.type, role.props);
      if (trust.kind !== "document") continue;
      const others = trust.document.Statement.filter(isAllow).flatMap((s) => {
        if (s.Principal === "*") return ["anyone"];
        const p = s.Principal ?? {};
        return [...asList(p.Federated).map((f) => (f.includes(":oidc-provider/") ? `IRSA (${f.split(":oidc-provider/")[1]})` : f)), ...asList(p.AWS), ...asList(p.Service).filter((x) => x !== POD_IDENTITY_SERVICE)];
      });
      if (others.length > 0) {
        out.push({ resource: role, message: `role ${name} keys access on Pod Identity session tags (${variables.map((v) => `\${aws:PrincipalTag/${v}}`).join(", ")}), but ${others.join(", ")} may assume it too, whose sessions carry no such tags` });
      }
    }
    return out;
  },
};

export const policy = toPolicy(sessionTagVariableOutsidePodIdentity);
