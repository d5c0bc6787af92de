/** `npm run docs`: writes the generated pages (docs/configuration.md) from the code they describe. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigReference } from "../config/reference";

export const GENERATED = { "docs/configuration.md": renderConfigReference };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  for (const [file, render] of Object.entries(GENERATED)) {
    writeFileSync(path.join(root, file), render());
    process.stdout.write(`wrote ${file}\n`);
  }
}
