/** `npm run policy -- <stack> [--config-file FILE] [--policy-config FILE] [--json]`: the pack, offline. */
import { main, runCommand, runStack, UsageError, type Command, type Io } from "./cli";
import { checkResources, readPackConfig, renderFindings } from "./policyCheck";

export const POLICY: Command = {
  name: "policy",
  about: "The CrossGuard policy pack (policy/) run offline against what the stack registers, as `pulumi preview --policy-pack policy` would run it.",
  options: [
    { flag: "policy-config", value: "FILE", help: "enforcement levels and rule settings, as --policy-pack-config FILE takes them (policy/policy-config.sample.json)" },
    { flag: "json", help: "the findings as JSON: { stack, findings: [{ rule, level, resource, message }] }" },
  ],
  exits: "0 no mandatory violation; 1 a mandatory violation; 2 a usage, stack file, pack config or config error",
};

export async function runPolicy(argv: string[], io: Io): Promise<number> {
  return runCommand(argv, io, POLICY, async (args) => {
    const packConfig = readPolicyConfig(args.flags.get("policy-config") as string | undefined);
    const { run } = await runStack(args);
    const findings = await checkResources(run.resources, packConfig);
    io.out(`${args.flags.has("json") ? JSON.stringify({ stack: run.stack, findings }, null, 2) : renderFindings(findings)}\n`);
    return findings.some((f) => f.level === "mandatory") ? 1 : 0;
  });
}

function readPolicyConfig(file: string | undefined): Record<string, unknown> {
  let config: unknown;
  try {
    config = readPackConfig(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code ? `cannot be read (${code})` : `not JSON: ${(e as Error).message}`;
    throw new UsageError(`--policy-config ${file}: ${why}`);
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) throw new UsageError(`--policy-config ${file}: not a JSON object of rule settings`);
  return config as Record<string, unknown>;
}

if (require.main === module) main(runPolicy);
