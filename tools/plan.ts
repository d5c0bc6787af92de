/** `npm run plan -- <stack> [--config-file FILE] [--json]`: what `pulumi up` would create, with no cloud. */
import { main, runCommand, runStack, type Command, type Io } from "./cli";
import { planJson, renderPlan } from "./planText";
import { checkResources, renderFindings } from "./policyCheck";

export const PLAN: Command = {
  name: "plan",
  about: [
    "What `pulumi up -s <stack>` would create, offline (the real program under the Pulumi SDK's mock monitor, no",
    "AWS call): per workload its role, who may assume it and what it may do, then the policy pack's findings.",
  ].join("\n"),
  options: [{ flag: "json", help: "every registered resource as JSON: type, name, id, inputs, outputs, provider, parent, dependsOn, protect" }],
  exits: "0 planned; 1 a mandatory policy violation (pulumi preview would fail too); 2 a usage, stack file or config error",
};

export async function runPlan(argv: string[], io: Io): Promise<number> {
  return runCommand(argv, io, PLAN, async (args) => {
    const { run } = await runStack(args);
    const findings = await checkResources(run.resources);
    const mandatory = findings.filter((f) => f.level === "mandatory").length;
    if (args.flags.has("json")) {
      io.out(`${planJson(run)}\n`);
      if (mandatory > 0) io.err(`${renderFindings(findings)}\n`);
    } else {
      io.out(`${renderPlan(run)}\n\n${renderFindings(findings)}\n`);
    }
    return mandatory > 0 ? 1 : 0;
  });
}

if (require.main === module) main(runPlan);
