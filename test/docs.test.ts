import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tools/offline";
import { GENERATED } from "../tools/docs";
import { docsOf, stackConfigSchema } from "../config/schema";

describe("docs: links and size", () => {
  const pages = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

  it("every relative link of the README and docs/ names a file of the repository", () => {
    const broken = pages.flatMap((page) =>
      [...readFileSync(path.join(ROOT, page), "utf8").matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1].split("#")[0])
        .filter((target) => target && !/^[a-z]+:/.test(target) && !existsSync(path.join(ROOT, path.dirname(page), target)))
        .map((target) => `${page}: ${target}`),
    );
    assert.deepEqual(broken, []);
  });

  it("the README stays short (the reference lives in docs/)", () => {
    assert.ok(readFileSync(path.join(ROOT, "README.md")).length < 12 * 1024);
  });
});

describe("docs: generated pages are current", () => {
  for (const [file, render] of Object.entries(GENERATED)) {
    it(`${file} is what \`npm run docs\` writes from the code`, () => {
      assert.equal(readFileSync(path.join(ROOT, file), "utf8"), render(), `${file} is stale: run npm run docs`);
    });
  }

  it("the reference lists every key of the schema, each with its meaning", () => {
    const page = readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
    for (const key of ["cluster.oidcProviderArn", "workloads[].s3[].prefix", "workloads[].externalSecrets[].dataFrom[].find.name.regexp", "crossAccount[].roles[].workloads", "quotas.managedPoliciesPerAccount", "externalSecrets.clusterSecretStore.findByPath"]) {
      assert.ok(page.includes(`| \`${key}\` |`), key);
    }
    assert.ok(Object.keys(docsOf(stackConfigSchema)!).every((k) => page.includes(`## \`eks-irsa:${k}\``)));
  });
});
