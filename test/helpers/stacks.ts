/** Runs the real program offline for a stack file or an inline config, for tests. */
import { readFileSync } from "node:fs";
import { program } from "../../stacks";
import { readStackFile, runOffline, stackFile, type OfflineRun, type RegisteredResource } from "../../tools/offline";

/** Runs of a stack file's own config, by stack and file text: the program is deterministic for a config. */
const byStackFile = new Map<string, Promise<OfflineRun>>();

/** The run for a stack (its `Pulumi.<stack>.yaml`, or `config`); each caller gets its own copy to read or change. */
export async function runStack(stack: string, config?: Record<string, unknown>): Promise<OfflineRun> {
  if (config) return runOffline(stack, config, program);
  const file = stackFile(stack);
  const key = `${stack}\n${readFileSync(file, "utf8")}`;
  let run = byStackFile.get(key);
  if (!run) {
    run = runOffline(stack, readStackFile(file), program);
    byStackFile.set(key, run);
    run.catch(() => byStackFile.delete(key));
  }
  return structuredClone(await run);
}

export function ofType(run: OfflineRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: OfflineRun, type: string, name: string): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}
