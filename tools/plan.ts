/** `npm run plan -- <stack> [--config-file FILE] [--json]`: what `pulumi up` would create, with no cloud. */
import { main, runStackFromArgs } from "./cli";
import { planJson, renderPlan } from "./planText";

main(async () => {
  const { run, args } = await runStackFromArgs(process.argv.slice(2), "npm run plan -- <stack> [--config-file FILE] [--json]", [], ["json"]);
  process.stdout.write(`${args.flags.has("json") ? planJson(run) : renderPlan(run)}\n`);
  return 0;
});
