/**
 * The ESO v1 schema, from `@kubernetes-models/external-secrets` (generated from ESO's CRDs). The package is
 * ESM-only, so it is loaded with `import()` once, before validation, and handed to the checks that need it.
 */
import type { K8sObject } from "./eso";

export interface EsoModels {
  /** The object as the model serialises it, or the schema's complaints (`/spec/...: message`). */
  check(object: K8sObject): { ok: true; json: K8sObject } | { ok: false; errors: string[] };
}

interface Model {
  validate(): void;
  toJSON(): unknown;
}
type ModelClass = new (data: never) => Model;

export async function loadEsoModels(): Promise<EsoModels> {
  const [es, css, ss] = await Promise.all([
    import("@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret"),
    import("@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore"),
    import("@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore"),
  ]);
  const byKind: Record<string, ModelClass> = {
    ExternalSecret: es.ExternalSecret as unknown as ModelClass,
    ClusterSecretStore: css.ClusterSecretStore as unknown as ModelClass,
    SecretStore: ss.SecretStore as unknown as ModelClass,
  };
  return {
    check(object) {
      const Kind = byKind[object.kind];
      if (!Kind) return { ok: false, errors: [`kind ${object.kind} is not an ESO v1 kind eks-irsa builds`] };
      // The model sets apiVersion and kind itself.
      const model = new Kind({ metadata: object.metadata, spec: object.spec } as never);
      try {
        model.validate();
      } catch (e) {
        const errors = (e as { errors?: { instancePath?: string; message?: string }[] }).errors;
        return { ok: false, errors: errors?.map((x) => `${x.instancePath ?? ""}: ${x.message ?? "invalid"}`) ?? [String((e as Error).message)] };
      }
      return { ok: true, json: model.toJSON() as K8sObject };
    },
  };
}

let loaded: Promise<EsoModels> | undefined;

/** The models, loaded once per process. */
export function esoModels(): Promise<EsoModels> {
  return (loaded ??= loadEsoModels());
}
