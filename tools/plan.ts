/** `npm run plan -- <stack> [--config-file FILE] [--json]`: what `pulumi up` would create, with no cloud. */
import { main, runStackFromArgs } from "./cli";
import { planJson, renderPlan } from "./planText";
import { checkResources, renderFindings } from "./policyCheck";

main(async () => {
  const { run, args } = await runStackFromArgs(process.argv.slice(2), "npm run plan -- <stack> [--config-file FILE] [--json]", [], ["json"]);
  if (args.flags.has("json")) {
    process.stdout.write(`${planJson(run)}\n`);
    return 0;
  }
  process.stdout.write(`${renderPlan(run)}\n\n${renderFindings(await checkResources(run.resources))}\n`);
  return 0;
});
