import { deployEnvironment, type EnvironmentOutputs } from "./environment";
import { loadStackConfig } from "./config";

/** The whole program: validate the stack's config (before any resource), then compose the environment. */
export function program(): EnvironmentOutputs {
  return deployEnvironment(loadStackConfig());
}
