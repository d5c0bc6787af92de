import { loadEsoModels } from "../core/esoModels";
import { deployEnvironment, type EnvironmentOutputs } from "./environment";
import { loadStackConfig } from "./config";

/**
 * The whole program: load ESO's v1 schema, validate the stack's config (before any resource), then compose
 * the environment. Pulumi awaits the exported promise for the stack's outputs.
 */
export async function program(): Promise<EnvironmentOutputs> {
  const models = await loadEsoModels();
  return deployEnvironment(loadStackConfig(models));
}
