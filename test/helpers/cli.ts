/** The commands as tests run them: in-process through their entry (`runPlan(argv, io)`), or spawned as a user runs them. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Io } from "../../tools/cli";
import { ROOT } from "../../tools/offline";

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Calls a command's in-process entry with `argv`, collecting what it writes. */
export async function call(run: (argv: string[], io: Io) => Promise<number>, ...argv: string[]): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** `npm run <tool> -- args` as package.json runs it (node with tsx), in `cwd`; started at once, awaited by the caller. */
export function spawnTool(tool: "plan" | "policy" | "access", args: string[], cwd = ROOT): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", path.join("tools", `${tool}.ts`), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A stack trace's frame line: none may reach the user for a bad input. */
export const STACK_FRAME = /\n\s+at [^\n]*[(:]\d+/;
