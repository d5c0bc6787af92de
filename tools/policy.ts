/** `npm run policy -- <stack> [--config-file FILE] [--policy-config FILE] [--json]`: the pack, offline. */
import { main, runStackFromArgs } from "./cli";
import { checkResources, readPackConfig, renderFindings } from "./policyCheck";

main(async () => {
  const { run, args } = await runStackFromArgs(
    process.argv.slice(2),
    "npm run policy -- <stack> [--config-file FILE] [--policy-config FILE] [--json]",
    ["policy-config"],
    ["json"],
  );
  const findings = await checkResources(run.resources, readPackConfig(args.flags.get("policy-config") as string | undefined));
  process.stdout.write(`${args.flags.has("json") ? JSON.stringify({ stack: run.stack, findings }, null, 2) : renderFindings(findings)}\n`);
  return findings.some((f) => f.level === "mandatory") ? 1 : 0;
});
