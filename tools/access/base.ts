/** The config to compare against: a stack file, or the stack file as a git ref has it. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { UsageError } from "../cli";
import { readStackFile, ROOT } from "../offline";

/**
 * `base` is an existing file (a stack config, like `Pulumi.<stack>.yaml`) or a git ref, whose version of the
 * stack's config file is read with `git show`: `configFile` when it lies in the repository, else `Pulumi.<stack>.yaml`.
 */
export function readBaseConfig(base: string, stack: string, configFile?: string): Record<string, unknown> {
  if (existsSync(base)) return readStackFile(base);
  const inRepo = configFile ? path.relative(ROOT, path.resolve(configFile)) : "";
  const relative = inRepo && !inRepo.startsWith("..") && !path.isAbsolute(inRepo) ? inRepo.split(path.sep).join("/") : `Pulumi.${stack}.yaml`;
  const shown = spawnSync("git", ["show", `${base}:${relative}`], { cwd: ROOT, encoding: "utf8" });
  if (shown.status !== 0) {
    throw new UsageError(`--base ${base}: not a file, and \`git show ${base}:${relative}\` failed: ${(shown.stderr || shown.error?.message || "").trim()}`);
  }
  // readStackFile parses a file (and masks secure values): hand it git's text through a temporary one.
  const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-base-"));
  try {
    const file = path.join(dir, path.basename(relative));
    writeFileSync(file, shown.stdout);
    return readStackFile(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
