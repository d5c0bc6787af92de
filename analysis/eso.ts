/**
 * ESO's part of who can read what: each SecretStore with the namespaces it serves and the identity it reads as,
 * and each ExternalSecret with the secrets it copies. A namespace a store starts serving can read everything
 * that identity may: the access diff reports it like a grant.
 */
import type { RegisteredResource } from "./resource";
import type { RoleView } from "./roles";

export interface SecretStoreView {
  kind: string;
  name: string;
  namespace?: string;
  /** Namespaces whose ExternalSecrets may use it (`*` for a ClusterSecretStore without conditions). */
  namespaces: string[];
  /** `<kind> <label>` of the identity it reads as, or why it has none. */
  readsAs: string;
}

export interface ExternalSecretView {
  namespace: string;
  name: string;
  store: string;
  target: string;
  /** Remote keys, and `find <path>` for find-by-path. */
  reads: string[];
}

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the registered CR's JSON

const metadata = (r: RegisteredResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };

/**
 * The stores and ExternalSecrets a run registered; `roles` as `rolesOf` read them (with their annotated
 * ServiceAccounts), `identityOf(roleArn)` names an identity of the model.
 */
export function esoViews(
  resources: readonly RegisteredResource[],
  roles: RoleView[],
  identityOf: (roleArn: string) => string | undefined,
): { secretStores: SecretStoreView[]; externalSecrets: ExternalSecretView[] } {
  const serviceAccounts = roles.flatMap((role) => role.serviceAccounts.map((sa) => ({ ...sa, roleArn: role.arn })));
  const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "external-secrets");
  const controller = (release?.inputs.values as { serviceAccount?: { name?: string } } | undefined)?.serviceAccount?.name;
  const controllerNamespace = typeof release?.inputs.namespace === "string" ? release.inputs.namespace : undefined;
  const readsAs = (namespace: string | undefined, name: string | undefined, what: string) => {
    const sa = serviceAccounts.find((x) => x.namespace === namespace && x.name === name);
    if (!sa) return `no AWS identity (${what} ${namespace}/${name} is annotated with no role of this stack)`;
    return identityOf(sa.roleArn) ?? sa.roleArn;
  };
  const secretStores = resources
    .filter((r) => r.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore" || r.type === "kubernetes:external-secrets.io/v1:SecretStore")
    .map((r): SecretStoreView => {
      const kind = r.type.split(":").pop()!;
      const md = metadata(r);
      const spec = (r.inputs.spec ?? {}) as Spec;
      const ref = spec.provider?.aws?.auth?.jwt?.serviceAccountRef as { name: string; namespace?: string } | undefined;
      const cluster = kind === "ClusterSecretStore";
      const conditions = (spec.conditions ?? []) as { namespaces?: string[] }[];
      return {
        kind,
        name: md.name ?? r.name,
        ...(cluster ? {} : { namespace: md.namespace }),
        namespaces: cluster ? (conditions.length ? [...new Set(conditions.flatMap((c) => c.namespaces ?? []))].sort() : ["*"]) : [md.namespace ?? "default"],
        readsAs: ref
          ? readsAs(cluster ? ref.namespace : md.namespace, ref.name, "ServiceAccount")
          : readsAs(controllerNamespace, controller, "the controller's ServiceAccount"),
      };
    });
  const externalSecrets = resources
    .filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")
    .map((r): ExternalSecretView => {
      const md = metadata(r);
      const spec = (r.inputs.spec ?? {}) as Spec;
      const data = (spec.data ?? []) as { remoteRef: { key: string } }[];
      const from = (spec.dataFrom ?? []) as { extract?: { key: string }; find?: { path: string } }[];
      return {
        namespace: md.namespace ?? "default",
        name: md.name ?? r.name,
        store: `${spec.secretStoreRef?.kind} ${spec.secretStoreRef?.name}`,
        target: spec.target?.name ?? md.name ?? r.name,
        reads: [...new Set([...data.map((d) => d.remoteRef.key), ...from.map((d) => (d.extract ? d.extract.key : `find ${d.find?.path}`))])].sort(),
      };
    });
  // Registration order follows when each object's inputs resolved; the report reads in a stable order instead.
  const key = (...parts: (string | undefined)[]) => parts.map((p) => p ?? "").join("\u0000");
  secretStores.sort((a, b) => key(a.kind, a.namespace, a.name).localeCompare(key(b.kind, b.namespace, b.name)));
  externalSecrets.sort((a, b) => key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));
  return { secretStores, externalSecrets };
}
