/** Config validation problems as `path: message` lines, for tables of bad configs. */
import type { EsoModels } from "../../core/esoModels";
import { ConfigError, validateStackConfig } from "../../config/validate";

export function configProblems(raw: unknown, region: string | undefined, models?: EsoModels, stackAccountIds: string[] = []): string[] {
  try {
    validateStackConfig(raw, region, models, stackAccountIds);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}
