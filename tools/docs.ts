/** `npm run docs`: writes the generated pages from the code they describe (a test fails when one is stale). */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigReference } from "../config/reference";
import { RULES } from "../policy/rules";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The pack's rules as a table: name, kind, default level, what it forbids, its settings and their defaults. */
export function renderPolicyRules(): string {
  const settings = (defaults: unknown) =>
    Object.entries((defaults ?? {}) as Record<string, unknown>)
      .map(([k, v]) => `\`${k}\` = \`${JSON.stringify(v)}\``)
      .join(", ") || "none";
  return [
    "<!-- Generated from policy/rules/ by `npm run docs`; test/docs.test.ts fails when this page is stale. Do not edit. -->",
    "# Policy pack rules",
    "",
    `The ${RULES.length} rules of the CrossGuard pack (\`policy/\`), in report order. Override a level or a setting in the pack`,
    "config (`--policy-pack-config`, honoured by `npm run policy` too): see [policy-pack.md](policy-pack.md).",
    "",
    "| rule | kind | default | forbids | settings (defaults) |",
    "| --- | --- | --- | --- | --- |",
    ...RULES.map((r) => `| \`${r.name}\` | ${r.kind} | ${r.enforcementLevel} | ${cell(r.description)} | ${cell(settings(r.defaults))} |`),
    "",
  ].join("\n");
}

export const GENERATED: Record<string, () => string> = {
  "docs/configuration.md": renderConfigReference,
  "docs/policy-rules.md": renderPolicyRules,
};

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  for (const [file, render] of Object.entries(GENERATED)) {
    writeFileSync(path.join(root, file), render());
    process.stdout.write(`wrote ${file}\n`);
  }
}
