/**
 * Every package the code imports is declared in package.json: an undeclared one works only while another package
 * happens to pull it in (and at whatever version that one wants).
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { ROOT } from "../tools/offline";

const SKIP = new Set(["node_modules", ".git", "bin", "out"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|mjs|js)$/.test(e.name) ? [p] : [];
  });
}

/** `@scope/name` or `name` of each bare specifier a file imports or requires. */
export function importedPackages(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire(?:\.resolve)?\(\s*|^import\s+)["']([^"'./][^"']*)["']/gm)].map((m) => m[1]);
  return specifiers.filter((s) => !s.startsWith("node:") && !builtinModules.includes(s)).map((s) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/"));
}

describe("package.json declares every package the code imports", () => {
  it("reads imports, requires and dynamic imports", () => {
    assert.deepEqual(importedPackages('import * as grpc from "@grpc/grpc-js";\nimport { x } from "./local";\nconst s = require("@pulumi/pulumi/runtime/settings");\nawait import("yaml");\nimport "fs";\n'), ["@grpc/grpc-js", "@pulumi/pulumi", "yaml"]);
  });

  it("every file of the project, policy/ included (its dependencies resolve from the project's node_modules)", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies?: object; devDependencies?: object };
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
    const files = sources(ROOT);
    assert.ok(files.length > 50, String(files.length));
    // An example is a program of its own: its imports are declared in its own package.json.
    const declaredFor = (f: string) => {
      const example = /^examples\/[^/]+/.exec(path.relative(ROOT, f))?.[0];
      if (!example) return declared;
      const own = JSON.parse(readFileSync(path.join(ROOT, example, "package.json"), "utf8")) as { dependencies?: object; devDependencies?: object };
      return new Set([...Object.keys(own.dependencies ?? {}), ...Object.keys(own.devDependencies ?? {})]);
    };
    const missing = files.flatMap((f) => importedPackages(readFileSync(f, "utf8")).filter((p) => !declaredFor(f).has(p)).map((p) => `${path.relative(ROOT, f)}: ${p}`));
    assert.deepEqual(missing, []);
  });

  it("the package's own code (components/, core/) imports only dependencies: a consumer gets no devDependency", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies?: object };
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const shipped = [...sources(path.join(ROOT, "components")), ...sources(path.join(ROOT, "core"))];
    assert.ok(shipped.some((f) => f.endsWith("catalog.ts")), "core/catalog.ts reads the service catalog at run time");
    // Type-only imports vanish from the compiled JavaScript.
    const imports = (text: string) => importedPackages(text.replace(/^import type .*$/gm, ""));
    const missing = shipped.flatMap((f) => imports(readFileSync(f, "utf8")).filter((p) => !runtime.has(p)).map((p) => `${path.relative(ROOT, f)}: ${p}`));
    assert.deepEqual(missing, []);
  });
});
