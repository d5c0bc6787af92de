import * as pulumi from "@pulumi/pulumi";
import type { EsoModels } from "../core/esoModels";
import { validateStackConfig, type ValidatedConfig } from "../config/validate";

/** The config namespace of this project (`Pulumi.yaml` name). */
export const CONFIG_NAMESPACE = "eks-irsa";

/**
 * Every `eks-irsa:*` key of the stack as one object (structured values arrive as JSON text), so that
 * unknown keys are reported too, and the stack's `aws:region`.
 */
export function readRawConfig(): { raw: Record<string, unknown>; region: string | undefined; accountIds: string[] } {
  const all = pulumi.runtime.allConfig();
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value;
    }
    raw[key.slice(CONFIG_NAMESPACE.length + 1)] = parsed;
  }
  let accountIds: string[] = [];
  try {
    accountIds = (JSON.parse(all["aws:allowedAccountIds"] ?? "[]") as unknown[]).map(String);
  } catch {
    accountIds = [];
  }
  return { raw, region: all["aws:region"], accountIds };
}

/** Reads and validates the stack config; throws a ConfigError before any resource exists. */
export function loadStackConfig(models: EsoModels): ValidatedConfig {
  const { raw, region, accountIds } = readRawConfig();
  return validateStackConfig(raw, region, models, accountIds);
}
