/** Runs the real program offline for a stack file or an inline config, for tests. */
import { program } from "../../stacks";
import { readStackFile, runOffline, stackFile, type OfflineRun, type RegisteredResource } from "../../tools/offline";

export async function runStack(stack: string, config?: Record<string, unknown>): Promise<OfflineRun> {
  return runOffline(stack, config ?? readStackFile(stackFile(stack)), program);
}

export function ofType(run: OfflineRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: OfflineRun, type: string, name: string): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}
