/**
 * The GitHub Actions workflows (.github/workflows) and the page that documents their AWS roles
 * (docs/github-oidc-role.md), checked offline: triggers, jobs per stack (from the Pulumi.<stack>.yaml files, so
 * a new stack without its jobs fails here), least-privilege permissions, secrets read only in jobs of a GitHub
 * environment, actions pinned to commit SHAs, npm scripts and stacks that exist, the report step run with bash,
 * the PR-comment scripts against a fake GitHub API, and the documented trust and permission policies against this
 * project's CrossGuard pack.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { checkResources } from "../tools/policyCheck";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOW_DIR = path.join(ROOT, ".github", "workflows");
const DOC = path.join(ROOT, "docs", "github-oidc-role.md");
const MARKER = "<!-- eks-irsa:preview-report -->";

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  permissions?: unknown;
  env?: Record<string, unknown>;
  secrets?: unknown;
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
  "timeout-minutes"?: number;
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  defaults?: { run?: { shell?: string } };
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}
interface WorkflowFile {
  file: string;
  text: string;
  doc: Workflow;
}

// ---------------------------------------------------------------------------------------------------------
// Checkers (pure functions, each tested on bad examples below)
// ---------------------------------------------------------------------------------------------------------

const SHA = /^[0-9a-f]{40}$/;
const EXACT_VERSION = /^v\d+\.\d+\.\d+$/;

/**
 * Why a `uses:` reference is not pinned, or undefined when it is: a remote action must name a full 40-hex commit
 * and carry the exact release it is (`# vX.Y.Z`); tags (`@v4`, even `@v4.2.2`) and branches (`@main`) can move.
 * Local actions (`./...`) are part of the commit; a Docker image must be pinned by digest.
 */
export function pinProblem(uses: string, comment: string | undefined): string | undefined {
  if (uses.startsWith("./")) return undefined;
  if (uses.startsWith("docker://")) return /@sha256:[0-9a-f]{64}$/.test(uses) ? undefined : `${uses}: a Docker image must be pinned by @sha256 digest`;
  const m = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?)@([^@\s]+)$/.exec(uses);
  if (!m) return `${uses}: not owner/repo@ref`;
  if (!SHA.test(m[2])) return `${uses}: ref ${m[2]} can move; pin the full 40-hex commit SHA of a release`;
  if (comment === undefined || !EXACT_VERSION.test(comment.trim())) return `${uses}: the commit needs a "# vX.Y.Z" comment naming its exact release (got ${JSON.stringify(comment ?? "")})`;
  return undefined;
}

/** Every `uses:` of a workflow file, read from its lines (to see the comments) and checked against the parse. */
export function usesOf(text: string, doc: Workflow): { uses: string; comment: string | undefined }[] {
  const fromLines: { uses: string; comment: string | undefined }[] = text
    .split("\n")
    .map((l) => /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ uses: m[1], comment: m[2]?.trim() }));
  const parsed = Object.values(doc.jobs).flatMap((j) => [j.uses, ...(j.steps ?? []).map((s) => s.uses)]).filter((u): u is string => typeof u === "string");
  // A flow-style or otherwise unusual `uses` the line reader cannot see counts as unpinned.
  for (const u of parsed) if (!fromLines.some((l) => l.uses === u)) fromLines.push({ uses: u, comment: undefined });
  return fromLines;
}

const isAwsLogin = (s: Step) => (s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@") && typeof s.with?.["role-to-assume"] === "string";
const isPulumi = (s: Step) => (s.uses ?? "").startsWith("pulumi/actions@");
const commentsOnPr = (s: Step) => (isPulumi(s) && s.with?.["comment-on-pr"] === true) || (s.uses ?? "").startsWith("actions/github-script@");

/**
 * Least privilege: the workflow's default is read-only or nothing; every job states its own permissions;
 * nothing is write-all; `id-token: write` only in jobs that assume an AWS role (and every such job has it);
 * `pull-requests: write` only in jobs that comment; no other write scope at all.
 */
export function permissionProblems(doc: Workflow): string[] {
  const problems: string[] = [];
  const top = doc.permissions;
  if (top === undefined) problems.push("no top-level permissions (the repository default may be write-all)");
  else if (typeof top !== "object" || top === null) problems.push(`top-level permissions ${JSON.stringify(top)}: name the scopes`);
  else for (const [k, v] of Object.entries(top)) if (!(k === "contents" && v === "read")) problems.push(`top-level permissions: ${k}: ${String(v)} (only contents: read, or {})`);
  for (const [id, job] of Object.entries(doc.jobs)) {
    const p = job.permissions;
    if (typeof p !== "object" || p === null) {
      problems.push(`${id}: ${p === undefined ? "no permissions of its own" : `permissions ${JSON.stringify(p)}`}`);
      continue;
    }
    const perms = p as Record<string, string>;
    const steps = job.steps ?? [];
    for (const [scope, level] of Object.entries(perms)) {
      if (level !== "write") continue;
      if (scope === "id-token" && steps.some(isAwsLogin)) continue;
      if (scope === "pull-requests" && steps.some(commentsOnPr)) continue;
      problems.push(`${id}: ${scope}: write is not needed by its steps`);
    }
    if (steps.some(isAwsLogin) && perms["id-token"] !== "write") problems.push(`${id}: assumes an AWS role without id-token: write`);
  }
  return problems;
}

/** The npm scripts a shell snippet runs (`npm run [flags] NAME`, `npm run-script NAME`, `npm test`). */
export function npmScriptsIn(run: string): string[] {
  const names = [...run.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:--?[A-Za-z-]+\s+)*([A-Za-z0-9:._-]+)/g)].map((m) => m[1]);
  if (/\bnpm\s+(?:test|t)\b/.test(run)) names.push("test");
  return names;
}

/** The `<stack>` argument of every `npm run plan|policy|access -- <stack>`, as written (quotes removed). */
export function stackArgsIn(run: string): { script: string; stack: string }[] {
  return [...run.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:--?[A-Za-z-]+\s+)*(plan|policy|access)\s+--\s+(\S+)/g)].map((m) => ({ script: m[1], stack: m[2].replace(/^["']|["']$/g, "") }));
}

/** Problems with the npm scripts and stacks a workflow's `run:` steps name. */
export function npmProblems(runs: string[], scripts: Record<string, string>, stacks: string[]): string[] {
  const problems: string[] = [];
  for (const run of runs) {
    for (const name of npmScriptsIn(run)) if (!(name in scripts)) problems.push(`npm run ${name}: no such script in package.json`);
    for (const { script, stack } of stackArgsIn(run)) if (!stacks.includes(stack)) problems.push(`npm run ${script} -- ${stack}: no Pulumi.${stack}.yaml (stacks: ${stacks.join(", ")})`);
    if (/\bnpm\s+(?:install|i|add)\b/.test(run)) problems.push(`"${run.split("\n")[0]}": use npm ci (exactly the lock file)`);
  }
  return problems;
}

/**
 * Secrets only in jobs of a GitHub environment: a repository-level secret is readable by every workflow of every
 * branch (anyone who can push one), so every secret a job reads must come from its environment, whose branch and
 * reviewer rules guard it. Flags `secrets.` in workflow-level `env`, in any job without `environment`, and
 * `secrets: inherit`/`secrets:` passed to a reusable workflow (such a job cannot name an environment).
 */
export function secretProblems(doc: Workflow): string[] {
  const problems: string[] = [];
  if (/\bsecrets\./.test(JSON.stringify(doc.env ?? {}))) problems.push("workflow-level env reads a secret");
  for (const [id, job] of Object.entries(doc.jobs)) {
    if (job.secrets !== undefined) problems.push(`${id}: passes secrets to a reusable workflow`);
    const names = [...JSON.stringify(job).matchAll(/\bsecrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    if (names.length && !envName(job)) problems.push(`${id}: reads ${[...new Set(names)].join(", ")} without an environment (use github.token for GITHUB_TOKEN)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// The repository's files
// ---------------------------------------------------------------------------------------------------------

function loadWorkflows(): WorkflowFile[] {
  if (!existsSync(WORKFLOW_DIR)) return [];
  return readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
      return { file, text, doc: parse(text) as Workflow };
    });
}

/** The stacks of the project: one per Pulumi.<stack>.yaml in the root. */
function stackNames(): string[] {
  return readdirSync(ROOT)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function stackRegion(stack: string): string {
  const doc = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  const region = doc.config?.["aws:region"];
  assert.equal(typeof region, "string", `Pulumi.${stack}.yaml has no aws:region`);
  return region as string;
}

const upper = (stack: string) => stack.toUpperCase().replace(/[^A-Z0-9]/g, "_");
const triggers = (doc: Workflow): Record<string, unknown> => {
  const on = doc.on;
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((t: string) => [t, null]));
  return (on ?? {}) as Record<string, unknown>;
};
const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const stepsOf = (job: Job) => job.steps ?? [];
const runsOf = (job: Job) => stepsOf(job).map((s) => s.run).filter((r): r is string => typeof r === "string");
const only = <T>(items: T[], what: string): T => {
  assert.equal(items.length, 1, `expected exactly one ${what}, found ${items.length}`);
  return items[0];
};

const workflows = loadWorkflows();
const byFile = (file: string): WorkflowFile => {
  const wf = workflows.find((w) => w.file === file);
  assert.ok(wf, `.github/workflows/${file} is missing`);
  return wf;
};
const stacks = stackNames();
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; engines?: { node?: string } };

// The report step of preview.yml, run as GitHub would (bash -eo pipefail, jq), for the tests of both PR workflows.

/** Runs the report step with bash (and jq, as on GitHub's runners) over a report directory; returns comment.md. */
function writeReport(files: Record<string, string>, outcomes: Record<string, string>): string {
  const step = only(stepsOf(byFile("preview.yml").doc.jobs.checks).filter((s) => (s.run ?? "").includes(MARKER)), "report step");
  assert.doesNotMatch(step.run!, /\$\{\{/, "the report step takes its inputs from env only");
  const cwd = mkdtempSync(path.join(tmpdir(), "report-stacks-"));
  for (const stack of stacks) writeFileSync(path.join(cwd, `Pulumi.${stack}.yaml`), "config: {}\n");
  const reportDir = mkdtempSync(path.join(tmpdir(), "report-dir-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(reportDir, name), text);
  const steps = Object.fromEntries(Object.entries(outcomes).map(([id, outcome]) => [id, { outcome, conclusion: outcome, outputs: {} }]));
  const env = { ...process.env, OUTCOMES: JSON.stringify(steps), BASE_REF: "main", HEAD_SHA: "c".repeat(40), PR_NUMBER: "42", RUN_URL: "https://github.com/acme/eks-irsa/actions/runs/1", REPORT_DIR: reportDir, GITHUB_STEP_SUMMARY: path.join(reportDir, "summary.md") };
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd, encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(reportDir, "pr-number"), "utf8"), "42\n");
  return readFileSync(path.join(reportDir, "comment.md"), "utf8");
}
const hasJq = spawnSync("jq", ["--version"]).status === 0;
/** The report step runs jq, as GitHub's runners have it: without jq these tests fail, they never skip. */
function requireJq(): void {
  assert.ok(hasJq, "jq is not installed: the report step needs it (apt-get install jq; .ci/run installs it when missing)");
}
const allPassed = Object.fromEntries(["report_code", "install", "test", ...stacks.flatMap((s) => [`plan_${s}`, `policy_${s}`, `access_${s}`])].map((id) => [id, "success"]));
const stackFiles = (extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(stacks.flatMap((s) => [
    [`access-${s}.md`, `## Access changes: stack \`${s}\`, \`origin/main\` -> working tree\n\n\`\`\`diff\n+ role ${s}-web may s3:GetObject\n\`\`\`\n`],
    [`plan-${s}.txt`, `plan of ${s}\n`],
    [`policy-${s}.txt`, `policy of ${s}\n`],
  ])),
  ...extra,
});

// ---------------------------------------------------------------------------------------------------------

describe("workflows: the checkers reject what they must", () => {
  const GOOD_SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8";

  it("pinProblem accepts a commit SHA with its exact release, local actions and digest-pinned images", () => {
    assert.equal(pinProblem(`actions/checkout@${GOOD_SHA}`, "v5.0.0"), undefined);
    assert.equal(pinProblem(`github/codeql-action/init@${GOOD_SHA}`, "v3.29.5"), undefined);
    assert.equal(pinProblem("./.github/actions/setup", undefined), undefined);
    assert.equal(pinProblem(`docker://alpine@sha256:${"a".repeat(64)}`, undefined), undefined);
  });

  for (const [uses, comment] of [
    ["actions/checkout@v4", "v4"],
    ["actions/checkout@main", undefined],
    ["actions/checkout@master", undefined],
    ["actions/checkout@v4.2.2", "v4.2.2"],
    ["actions/checkout@08c6903", "v5.0.0"],
    [`actions/checkout@${GOOD_SHA.toUpperCase()}`, "v5.0.0"],
    ["actions/checkout", undefined],
    ["docker://node:20", undefined],
    [`actions/checkout@${GOOD_SHA}`, undefined],
    [`actions/checkout@${GOOD_SHA}`, "v5"],
  ] as [string, string | undefined][]) {
    it(`pinProblem rejects ${uses}${comment === undefined ? " without a release comment" : ` # ${comment}`}`, () => {
      assert.ok(pinProblem(uses, comment), "expected a problem");
    });
  }

  it("usesOf reads the release comments and sees flow-style uses the line reader cannot", () => {
    const text = `jobs:\n  a:\n    steps:\n      - uses: actions/checkout@${GOOD_SHA} # v5.0.0\n      - { uses: evil/action@v1 }\n`;
    const found = usesOf(text, parse(text) as Workflow);
    assert.deepEqual(found, [{ uses: `actions/checkout@${GOOD_SHA}`, comment: "v5.0.0" }, { uses: "evil/action@v1", comment: undefined }]);
    assert.ok(pinProblem(found[1].uses, found[1].comment));
  });

  it("permissionProblems rejects write-all, missing permissions, and write scopes no step needs", () => {
    const aws = { uses: `aws-actions/configure-aws-credentials@${GOOD_SHA}`, with: { "role-to-assume": "${{ vars.R }}", "aws-region": "us-east-1" } };
    const ok: Workflow = { permissions: { contents: "read" }, jobs: { a: { permissions: { contents: "read", "id-token": "write" }, steps: [aws] } } };
    assert.deepEqual(permissionProblems(ok), []);
    const bad: [string, Workflow][] = [
      ["top-level write-all", { permissions: "write-all", jobs: { a: { permissions: { contents: "read" } } } }],
      ["no top-level permissions", { jobs: { a: { permissions: { contents: "read" } } } }],
      ["top-level id-token", { permissions: { contents: "read", "id-token": "write" }, jobs: { a: { permissions: {} } } }],
      ["job write-all", { permissions: {}, jobs: { a: { permissions: "write-all" } } }],
      ["job without permissions", { permissions: {}, jobs: { a: { steps: [] } } }],
      ["id-token without an AWS role", { permissions: {}, jobs: { a: { permissions: { "id-token": "write" }, steps: [{ run: "npm test" }] } } }],
      ["AWS role without id-token", { permissions: {}, jobs: { a: { permissions: { contents: "read" }, steps: [aws] } } }],
      ["contents: write", { permissions: {}, jobs: { a: { permissions: { contents: "write" }, steps: [aws] } } }],
      ["pull-requests: write without a commenting step", { permissions: {}, jobs: { a: { permissions: { "pull-requests": "write" }, steps: [aws] } } }],
    ];
    for (const [what, wf] of bad) assert.ok(permissionProblems(wf).length > 0, what);
  });

  it("npmProblems rejects unknown scripts, unknown or non-literal stacks, and npm install", () => {
    const scripts = { test: "x", plan: "x", policy: "x" };
    assert.deepEqual(npmProblems(["npm ci --no-audit\nnpm test\nnpm run --silent plan -- dev | tee x", "npm run policy -- prod"], scripts, ["dev", "prod"]), []);
    assert.equal(npmProblems(["npm run acces -- dev"], scripts, ["dev"]).length, 1);
    assert.equal(npmProblems(["npm run plan -- staging"], scripts, ["dev", "prod"]).length, 1);
    assert.equal(npmProblems(['npm run -s policy -- "$STACK"'], scripts, ["dev", "prod"]).length, 1);
    assert.equal(npmProblems(["npm install"], scripts, []).length, 1);
    assert.deepEqual(stackArgsIn('npm run --silent access -- prod --format md --base "origin/$BASE_REF"'), [{ script: "access", stack: "prod" }]);
  });

  it("secretProblems rejects secrets outside a job with a GitHub environment", () => {
    const token = { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" };
    const ok: Workflow = { jobs: { a: { environment: { name: "prod" }, steps: [{ uses: "pulumi/actions@x", env: token }] }, b: { environment: "preview", env: token } } };
    assert.deepEqual(secretProblems(ok), []);
    const bad: [string, Workflow][] = [
      ["step env without environment", { jobs: { a: { steps: [{ uses: "pulumi/actions@x", env: token }] } } }],
      ["job env without environment", { jobs: { a: { env: token } } }],
      ["in a run script", { jobs: { a: { steps: [{ run: "echo ${{ secrets.X }}" }] } } }],
      ["in a with input", { jobs: { a: { steps: [{ uses: "x/y@z", with: { token: "${{ secrets.GITHUB_TOKEN }}" } }] } } }],
      ["workflow-level env", { env: token, jobs: { a: { environment: "prod" } } }],
      ["secrets: inherit", { jobs: { a: { uses: "./.github/workflows/x.yml", secrets: "inherit" } } }],
    ];
    for (const [what, wf] of bad) assert.ok(secretProblems(wf).length > 0, what);
  });
});

describe("workflows: every file", () => {
  it("exist: preview.yml, deploy.yml and preview-comment.yml, and the project has dev and prod stacks", () => {
    for (const f of ["preview.yml", "deploy.yml", "preview-comment.yml"]) byFile(f);
    assert.ok(stacks.includes("dev") && stacks.includes("prod"), `stacks: ${stacks.join(", ")}`);
  });

  for (const { file, text, doc } of workflows) {
    describe(file, () => {
      it("parses, has a name and jobs, and never runs on pull_request_target", () => {
        assert.equal(typeof doc.name, "string");
        assert.ok(doc.jobs && Object.keys(doc.jobs).length > 0);
        assert.ok(!("pull_request_target" in triggers(doc)), "pull_request_target runs PR code with a write token and secrets");
      });

      it("pins every action to a commit SHA with its exact release, the same one everywhere", () => {
        const uses = usesOf(text, doc);
        assert.ok(uses.length > 0);
        assert.deepEqual(uses.map((u) => pinProblem(u.uses, u.comment)).filter(Boolean), []);
        const all = workflows.flatMap((w) => usesOf(w.text, w.doc));
        for (const u of uses) {
          const action = u.uses.split("@")[0];
          const versions = new Set(all.filter((o) => o.uses.split("@")[0] === action).map((o) => `${o.uses} # ${o.comment}`));
          assert.equal(versions.size, 1, `${action} is pinned to several commits: ${[...versions].join(", ")}`);
        }
      });

      it("grants least privilege: read-only default, per-job permissions, no write-all, id-token only where AWS is assumed", () => {
        assert.deepEqual(permissionProblems(doc), []);
      });

      it("reads secrets only in jobs of a GitHub environment (no repository-level secret is needed)", () => {
        assert.deepEqual(secretProblems(doc), []);
      });

      it("runs only npm scripts that exist in package.json, on stacks that exist, installed with npm ci", () => {
        assert.deepEqual(npmProblems(Object.values(doc.jobs).flatMap(runsOf), pkg.scripts, stacks), []);
      });

      it("runs its shell steps with bash -eo pipefail (defaults.run.shell: bash) and bounds every job in time", () => {
        if (Object.values(doc.jobs).some((j) => runsOf(j).length > 0)) assert.equal(doc.defaults?.run?.shell, "bash");
        for (const [id, job] of Object.entries(doc.jobs)) assert.ok(typeof job["timeout-minutes"] === "number", `${id}: timeout-minutes`);
      });

      it("pins Node.js 24 (the LTS line) and the Pulumi CLI to exact versions", () => {
        const steps = Object.values(doc.jobs).flatMap(stepsOf);
        for (const s of steps.filter((x) => (x.uses ?? "").startsWith("actions/setup-node@"))) {
          assert.match(String(s.with?.["node-version"]), /^24\.\d+\.\d+$/);
        }
        for (const s of steps.filter(isPulumi)) assert.match(String(s.with?.["pulumi-version"]), /^3\.\d+\.\d+$/);
      });
    });
  }

  it("use one Node.js version and one Pulumi CLI version, of the SDK's major, everywhere", () => {
    const steps = workflows.flatMap((w) => Object.values(w.doc.jobs).flatMap(stepsOf));
    const nodes = new Set(steps.filter((s) => (s.uses ?? "").startsWith("actions/setup-node@")).map((s) => String(s.with?.["node-version"])));
    const clis = new Set(steps.filter(isPulumi).map((s) => String(s.with?.["pulumi-version"])));
    assert.equal(nodes.size, 1, [...nodes].join(", "));
    assert.equal(clis.size, 1, [...clis].join(", "));
    const minimum = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? "")?.[1];
    assert.ok(minimum !== undefined && Number([...nodes][0].split(".")[0]) >= Number(minimum), `Node ${[...nodes][0]} vs engines ${pkg.engines?.node}`);
    const sdk = (JSON.parse(readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
    assert.equal([...clis][0].split(".")[0], sdk.split(".")[0]);
  });
});

describe("workflows: the Pulumi tokens", () => {
  const tokenJobs = workflows.flatMap(({ file, doc }) => Object.entries(doc.jobs).filter(([, job]) => /\bsecrets\.PULUMI_ACCESS_TOKEN\b/.test(JSON.stringify(job))).map(([id, job]) => ({ file, id, job })));

  it("each job that reads one takes it from the environment of its kind: preview, or the stack it deploys", () => {
    assert.ok(tokenJobs.length >= 2 * stacks.length);
    for (const { file, id, job } of tokenJobs) {
      const expected = file === "preview.yml" ? "preview" : /^deploy-(.+)$/.exec(id)?.[1];
      assert.ok(expected, `${file} ${id}: a job that reads the Pulumi token must be a preview or deploy-<stack> job`);
      assert.equal(envName(job), expected, `${file} ${id}`);
    }
    assert.equal(envName(byFile("deploy.yml").doc.jobs["deploy-prod"]), "prod");
  });

  it("each of those jobs fails first, naming its environment, when the environment has no token (and no self-managed backend)", () => {
    for (const { file, id, job } of tokenJobs) {
      const guard = only(stepsOf(job).filter((s) => /PULUMI_ACCESS_TOKEN/.test(s.run ?? "")), `${file} ${id}: token check step`);
      assert.equal(stepsOf(job).indexOf(guard), 0, `${file} ${id}: the check comes first`);
      assert.match(guard.run!, new RegExp(`GitHub environment '${envName(job)}' has no secret PULUMI_ACCESS_TOKEN`));
      assert.match(guard.run!, /exit 1/);
    }
  });
});

describe("workflows: preview.yml (pull requests)", () => {
  const { doc } = byFile("preview.yml");
  const checks = doc.jobs.checks;

  it("runs on pull requests to main only, cancelling superseded runs of the same PR", () => {
    assert.deepEqual(Object.keys(triggers(doc)), ["pull_request"]);
    assert.deepEqual((triggers(doc).pull_request as { branches: string[] }).branches, ["main"]);
    assert.match(JSON.stringify(doc.concurrency), /github\.event\.pull_request\.number/);
  });

  it("has the credential-free job `checks`, which also runs on fork PRs: contents: read, no secret, no AWS", () => {
    assert.ok(checks, "jobs.checks");
    assert.equal(checks.if, undefined, "checks must run on every PR, forks included");
    assert.deepEqual(checks.permissions, { contents: "read" });
    assert.doesNotMatch(JSON.stringify(checks), /secrets\.|id-token|configure-aws-credentials|pulumi\/actions/);
  });

  it("checks: fetches the base branch's history, installs with npm ci, runs npm test", () => {
    const checkout = only(stepsOf(checks).filter((s) => (s.uses ?? "").startsWith("actions/checkout@")), "checkout");
    assert.equal(checkout.with?.["fetch-depth"], 0);
    assert.equal(checkout.with?.["persist-credentials"], false);
    const runs = runsOf(checks);
    assert.ok(runs.some((r) => /^npm ci\b/.test(r)));
    assert.ok(runs.some((r) => /^npm test\b/.test(r)));
  });

  for (const stack of stacks) {
    it(`checks: offline plan, policy pack and access diff against origin/<base branch> for ${stack}`, () => {
      const steps = stepsOf(checks).filter((s) => typeof s.run === "string");
      const named = (script: string) => only(steps.filter((s) => stackArgsIn(s.run!).some((a) => a.script === script && a.stack === stack)), `npm run ${script} -- ${stack}`);
      named("plan");
      named("policy");
      const access = named("access");
      const base = /--base\s+("?)origin\/(\$BASE_REF|\$\{\{\s*github\.base_ref\s*\}\})\1(\s|$)/.exec(access.run!);
      assert.ok(base, `access step must compare with --base origin/<base ref>: ${access.run}`);
      if (base[2] === "$BASE_REF") assert.equal(access.env?.BASE_REF, "${{ github.base_ref }}");
      // The tool reads the base's stack file itself (a stack new in the PR is all new): no step may presume it.
      assert.doesNotMatch(access.run!, /git (show|cat-file)|Pulumi\.[^ ]*\.yaml/);
      for (const step of [named("plan"), named("policy"), access]) {
        assert.match(step.run!, /2>&1 \| tee "\$REPORT_DIR\//, `${step.name}: stderr too (exit-2 messages) must reach the report`);
      }
    });
  }

  const reportCodeStep = () => only(stepsOf(checks).filter((s) => /^git diff --name-only\b/.test(s.run ?? "")), "git diff --name-only step");
  /** The paths the report-code step passes to git diff (after `--`). */
  const reportCodePaths = () => /\s--\s+(.*?)\s*>/.exec(reportCodeStep().run!)![1].split(/\s+/);

  it("checks: lists the PR's changes to the code that computes the report, with git diff against the merge base", () => {
    const step = reportCodeStep();
    assert.equal(step.id, "report_code");
    assert.equal(step.if, "${{ !cancelled() }}");
    assert.match(step.run!, /^git diff --name-only "origin\/\$BASE_REF\.\.\.HEAD" -- /);
    assert.equal(step.env?.BASE_REF, "${{ github.base_ref }}");
    const install = stepsOf(checks).findIndex((s) => s.id === "install");
    assert.ok(stepsOf(checks).indexOf(step) < install, "before npm ci, so that it runs even when the install fails");
    for (const p of ["tools/", "analysis/", "core/", "components/", "stacks/", "config/", "policy/", "package-lock.json", ".github/"]) assert.ok(reportCodePaths().includes(p), p);
    for (const p of reportCodePaths()) assert.ok(existsSync(path.join(ROOT, p)), `${p} does not exist`);
  });

  it("checks: the git diff step, run in a scratch repository, lists exactly the PR's files under those paths", () => {
    const repo = mkdtempSync(path.join(tmpdir(), "report-code-"));
    const git = (...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), text);
    };
    git("init", "-q", "-b", "main");
    write("README.md", "a\n");
    write("tools/access.ts", "a\n");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    git("checkout", "-q", "-b", "pr");
    write("README.md", "b\n");
    write("Pulumi.dev.yaml", "config: {}\n");
    write("tools/access.ts", "b\n");
    write("policy/index.ts", "b\n");
    write(".github/workflows/preview.yml", "name: x\n");
    git("add", "-A");
    git("commit", "-q", "-m", "pr");
    const reportDir = mkdtempSync(path.join(tmpdir(), "report-dir-"));
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", reportCodeStep().run!], { cwd: repo, encoding: "utf8", env: { ...process.env, BASE_REF: "main", REPORT_DIR: reportDir } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(path.join(reportDir, "report-code-changes.txt"), "utf8").trim().split("\n").sort(), [".github/workflows/preview.yml", "policy/index.ts", "tools/access.ts"]);
  });

  it("checks: the report puts the table, then every stack's access diff, then the <details> (run with bash)", function () {
    requireJq();
    const report = writeReport(stackFiles({ "report-code-changes.txt": "" }), allPassed);
    assert.ok(report.startsWith(`${MARKER}\n`));
    const at = (needle: string) => {
      const i = report.indexOf(needle);
      assert.ok(i >= 0, `${needle} missing from:\n${report}`);
      return i;
    };
    const table = at("| stack | offline plan |");
    const diffs = stacks.map((s) => at(`## Access changes: stack \`${s}\``));
    const firstDetails = at("<details>");
    assert.ok(diffs.every((d) => table < d && d < firstDetails), "access diffs between the table and the details");
    assert.ok(at("<summary>Policy pack: prod</summary>") < at("<summary>Offline plan: dev</summary>"), "policy packs before the (long) plans, which go first");
    assert.doesNotMatch(report, /changes the code that computes this report/);
  });

  it("checks: the report opens with a banner when the PR changes the code that computes it", function () {
    requireJq();
    const files = Array.from({ length: 12 }, (_, i) => `tools/f${i}.ts`).join("\n") + "\n";
    const report = writeReport(stackFiles({ "report-code-changes.txt": files }), allPassed);
    const banner = report.split("\n").find((l) => l.includes("This PR changes the code that computes this report: review it"));
    assert.ok(banner, report);
    assert.ok(report.indexOf(banner) < report.indexOf("| stack |"), "the banner comes first");
    assert.match(banner, /`tools\/f0\.ts`/);
    assert.match(banner, /and 2 more/);
    assert.match(banner, /<!-- eks-irsa:report-code-changed -->/);
    const failed = writeReport(stackFiles(), { ...allPassed, report_code: "failure" });
    assert.match(failed, /Could not list the files this PR changes/);
  });

  it("checks: a failed access step's output (stderr too) is shown in a fence that its own fences cannot close", function () {
    requireJq();
    const output = "usage: npm run access -- <stack>\n~~~~\n<anonymous> at Object.<anonymous>\n";
    const report = writeReport(stackFiles({ "access-prod.md": output, "report-code-changes.txt": "" }), { ...allPassed, access_prod: "failure" });
    assert.match(report, /### Access changes: prod\n\n_The access tool did not succeed \(failure\)/);
    assert.match(report, /\n~~~~~text\nusage: npm run access[\s\S]*<anonymous>\n~~~~~\n/);
    const skipped = writeReport({}, { install: "failure", report_code: "success" });
    for (const s of stacks) assert.match(skipped, new RegExp(`### Access changes: ${s}\\n\\n_No access report \\(not run\\)`));
  });

  it("checks: writes one report with the comment marker, even after a failure, and uploads it for preview-comment.yml", () => {
    const report = only(stepsOf(checks).filter((s) => (s.run ?? "").includes(MARKER)), "report step");
    assert.equal(report.if, "${{ !cancelled() }}");
    assert.match(report.run!, /GITHUB_STEP_SUMMARY/);
    assert.match(report.run!, /pr-number/);
    const upload = only(stepsOf(checks).filter((s) => (s.uses ?? "").startsWith("actions/upload-artifact@")), "upload step");
    assert.equal(upload.if, "${{ !cancelled() }}");
    assert.equal(upload.with?.name, "preview-report");
  });

  for (const stack of stacks) {
    it(`preview-${stack}: the real pulumi preview with the policy pack and a PR comment, as the preview role of ${stack}`, () => {
      const job = doc.jobs[`preview-${stack}`];
      assert.ok(job, `jobs.preview-${stack} (every Pulumi.<stack>.yaml needs its preview job)`);
      assert.match(job.if ?? "", /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/, "same-repository PRs only");
      assert.ok(needsOf(job).includes("checks"));
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
      assert.ok(typeof job.concurrency === "object" && job.concurrency.group.includes(stack), "a concurrency group of its own");
      const steps = stepsOf(job);
      const aws = only(steps.filter(isAwsLogin), "AWS login");
      assert.equal(aws.with?.["role-to-assume"], `\${{ vars.AWS_PREVIEW_ROLE_ARN_${upper(stack)} }}`);
      assert.equal(aws.with?.["aws-region"], stackRegion(stack));
      const pulumi = only(steps.filter(isPulumi), "pulumi/actions step");
      assert.equal(pulumi.with?.command, "preview");
      assert.equal(pulumi.with?.["stack-name"], `\${{ vars.PULUMI_ORG }}/${stack}`);
      assert.equal(pulumi.with?.policyPacks, "policy");
      assert.ok(existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")));
      assert.equal(pulumi.with?.["comment-on-pr"], true);
      assert.equal(pulumi.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
      assert.equal(envName(job), "preview", "the Pulumi token of a job that runs PR code comes from the environment preview");
      const install = steps.findIndex((s) => /^npm ci\b/.test(s.run ?? ""));
      assert.ok(install >= 0 && install < steps.indexOf(pulumi), "npm ci (program and policy pack) before pulumi");
      assert.ok(steps.indexOf(aws) < steps.indexOf(pulumi));
    });
  }

  it("has no job but checks and one preview job per stack", () => {
    assert.deepEqual(Object.keys(doc.jobs).sort(), ["checks", ...stacks.map((s) => `preview-${s}`)].sort());
  });
});

describe("workflows: preview-comment.yml (the PR comment of the credential-free job)", () => {
  const { doc } = byFile("preview-comment.yml");
  const preview = byFile("preview.yml").doc;
  const job = only(Object.values(doc.jobs), "job");
  const scriptSteps = stepsOf(job).filter((s) => (s.uses ?? "").startsWith("actions/github-script@"));
  // Looked up in the tests (a missing step fails its tests, not the whole run).
  const findStep = () => only(scriptSteps.filter((s) => s.id === "find"), "github-script step `find` (is there a report?)");
  const commentStep = () => only(scriptSteps.filter((s) => String(s.with?.script).includes(MARKER)), "github-script step that comments");
  const script = () => String(commentStep().with?.script);

  it("runs after the preview workflow, for pull requests, with nothing but actions: read and pull-requests: write", () => {
    const on = triggers(doc).workflow_run as { workflows: string[]; types: string[] };
    assert.deepEqual(Object.keys(triggers(doc)), ["workflow_run"]);
    assert.deepEqual(on.workflows, [preview.name]);
    assert.deepEqual(on.types, ["completed"]);
    assert.deepEqual(doc.permissions, {});
    assert.deepEqual(job.permissions, { actions: "read", "pull-requests": "write" });
    assert.match(job.if ?? "", /github\.event\.workflow_run\.event == 'pull_request'/);
  });

  it("never checks out or runs code from the pull request", () => {
    assert.ok(!stepsOf(job).some((s) => (s.uses ?? "").startsWith("actions/checkout@") || s.run !== undefined));
    const download = only(stepsOf(job).filter((s) => (s.uses ?? "").startsWith("actions/download-artifact@")), "download step");
    assert.equal(download.with?.name, "preview-report");
    assert.equal(download.with?.["run-id"], "${{ github.event.workflow_run.id }}");
  });

  it("downloads and comments only when the run uploaded its report (a checks job that failed earlier is skipped)", () => {
    const download = only(stepsOf(job).filter((s) => (s.uses ?? "").startsWith("actions/download-artifact@")), "download step");
    const steps = stepsOf(job);
    assert.ok(steps.indexOf(findStep()) < steps.indexOf(download) && steps.indexOf(download) < steps.indexOf(commentStep()));
    assert.equal(download.if, "steps.find.outputs.found == 'true'");
    assert.equal(commentStep().if, "steps.find.outputs.found == 'true'");
    assert.equal(findStep().env?.RUN_ID, "${{ github.event.workflow_run.id }}");
  });

  type Calls = [string, Record<string, unknown>][];
  /** Runs a github-script body with a fake API; returns what it logged and set. */
  async function runScript(body: string, github: unknown, env: Record<string, string>) {
    const notices: string[] = [];
    const outputs: Record<string, string> = {};
    const core = { info: () => undefined, notice: (m: string) => void notices.push(m), setOutput: (k: string, v: string) => void (outputs[k] = v), setFailed: (m: string) => assert.fail(m) };
    const context = { repo: { owner: "acme", repo: "eks-irsa" } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;
    await new AsyncFunction("require", "github", "context", "core", "process", body)(require, github, context, core, { env });
    return { notices, outputs };
  }
  const paginate = async (fn: (p: Record<string, unknown>) => Promise<{ data: unknown[] }>, p: Record<string, unknown>) => (await fn(p)).data;

  it("find: reports whether the run has an unexpired preview-report artifact, with a notice when it has none", async () => {
    for (const [artifacts, found] of [
      [[{ name: "preview-report", expired: false }], "true"],
      [[], "false"],
      [[{ name: "preview-report", expired: true }], "false"],
    ] as [{ name: string; expired: boolean }[], string][]) {
      const calls: Calls = [];
      const github = { rest: { actions: { listWorkflowRunArtifacts: async (p: Record<string, unknown>) => (calls.push(["list", p]), { data: artifacts }) } }, paginate };
      const { notices, outputs } = await runScript(String(findStep().with?.script), github, { RUN_ID: "77" });
      assert.equal(outputs.found, found);
      assert.equal(notices.length, found === "true" ? 0 : 1);
      assert.equal(calls[0][1].run_id, 77);
    }
  });

  /** Runs the comment script against a fake GitHub API and a report directory. */
  async function post(opts: { pr?: Partial<{ number: number; sha: string; repo: string }>; prNumberText?: string | null; report?: string | null; comments?: { id: number; user: { login: string }; body: string }[]; headSha?: string; files?: { filename: string; previous_filename?: string }[] }) {
    const dir = mkdtempSync(path.join(tmpdir(), "preview-report-"));
    if (opts.prNumberText !== null) writeFileSync(path.join(dir, "pr-number"), opts.prNumberText ?? "42\n");
    if (opts.report !== null) writeFileSync(path.join(dir, "comment.md"), opts.report ?? `${MARKER}\n## eks-irsa: offline checks\nall good\n`);
    const pr = { number: 42, sha: "a".repeat(40), repo: "someone/eks-irsa", ...opts.pr };
    const calls: Calls = [];
    const github = {
      rest: {
        pulls: {
          get: async (p: { pull_number: number }) => {
            calls.push(["pulls.get", p]);
            if (p.pull_number !== pr.number) throw new Error("Not Found");
            return { data: { number: pr.number, head: { sha: pr.sha, repo: { full_name: pr.repo } } } };
          },
          listFiles: async (p: Record<string, unknown>) => (calls.push(["pulls.listFiles", p]), { data: opts.files ?? [{ filename: "Pulumi.dev.yaml" }] }),
        },
        issues: {
          listComments: async (p: Record<string, unknown>) => ({ data: (calls.push(["issues.listComments", p]), opts.comments ?? []) }),
          createComment: async (p: Record<string, unknown>) => (calls.push(["issues.createComment", p]), { data: { id: 7 } }),
          updateComment: async (p: Record<string, unknown>) => (calls.push(["issues.updateComment", p]), { data: {} }),
        },
      },
      paginate,
    };
    const env = { REPORT_DIR: dir, HEAD_SHA: opts.headSha ?? "a".repeat(40), HEAD_REPO: "someone/eks-irsa", RUN_URL: "https://github.com/acme/eks-irsa/actions/runs/1" };
    const { notices } = await runScript(script(), github, env);
    return { calls, notices };
  }
  const written = (calls: Calls) => calls.filter(([c]) => c === "issues.createComment" || c === "issues.updateComment");
  const bodyOf = async (opts: Parameters<typeof post>[0]) => {
    const { calls } = await post(opts);
    assert.equal(written(calls).length, 1);
    return String(written(calls)[0][1].body);
  };

  /** Where markdown leaves a code fence open and how many <details> it leaves open (an independent reading). */
  function openAtEnd(md: string): { fence: string | null; details: number } {
    let fence: string | null = null;
    let details = 0;
    for (const line of md.split("\n")) {
      const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
      if (fence !== null) {
        if (m && m[1][0] === fence[0] && m[1].length >= fence.length && m[2].trim() === "") fence = null;
      } else if (m) fence = m[1];
      else details += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    }
    return { fence, details };
  }

  it("creates one comment with the marker when the PR has none", async () => {
    const { calls } = await post({});
    const [[call, params]] = written(calls);
    assert.equal(call, "issues.createComment");
    assert.equal(params.issue_number, 42);
    const body = String(params.body);
    assert.ok(body.startsWith(MARKER));
    assert.match(body, /all good/);
    assert.equal(body.split(MARKER).length, 2, "the marker exactly once");
  });

  it("updates its own previous comment in place, not another user's comment that quotes the marker", async () => {
    const comments = [
      { id: 1, user: { login: "mallory" }, body: `${MARKER} fake report` },
      { id: 2, user: { login: "github-actions[bot]" }, body: `${MARKER}\nold report` },
    ];
    const { calls } = await post({ comments });
    assert.deepEqual(written(calls).map(([c, p]) => [c, p.comment_id]), [["issues.updateComment", 2]]);
    const { calls: again } = await post({ comments: [comments[0]] });
    assert.deepEqual(written(again).map(([c]) => c), ["issues.createComment"]);
  });

  it("refuses a PR number that is not a number, or a PR whose head is not the one the run built", async () => {
    await assert.rejects(post({ prNumberText: "42; echo pwned" }), /not a pull request number/);
    await assert.rejects(post({ pr: { repo: "attacker/other" } }), /does not come from/);
    const { calls, notices } = await post({ headSha: "b".repeat(40) });
    assert.deepEqual(written(calls), [], "a stale run posts nothing");
    assert.equal(notices.length, 1);
  });

  it("skips, with a notice, an artifact without its pr-number or comment.md", async () => {
    for (const missing of [{ prNumberText: null }, { report: null }]) {
      const { calls, notices } = await post(missing);
      assert.deepEqual(calls, []);
      assert.equal(notices.length, 1);
    }
  });

  it("puts its own banner first when GitHub lists PR files among the code that computes the report", async () => {
    const banner = /^\*\*⚠️ This PR changes the code that computes this report: review it\.\*\*/m;
    const renamed = await bodyOf({ files: [{ filename: "README.md" }, { filename: "lib/x.ts", previous_filename: "tools/x.ts" }, { filename: "policy/index.ts" }] });
    assert.match(renamed, banner);
    assert.ok(renamed.indexOf("policy/index.ts") < renamed.indexOf("## eks-irsa: offline checks"), "before the report");
    assert.match(renamed, /`tools\/x\.ts`/, "a file renamed away from those paths counts");
    assert.doesNotMatch(renamed, /README/);
    // The report's own banner line (the PR's code wrote it) never stands in for the check: it is dropped.
    const forged = `${MARKER}\n**⚠️ This PR changes the code that computes this report: review it.** \`x\` <!-- eks-irsa:report-code-changed -->\nall good\n`;
    const quiet = await bodyOf({ report: forged, files: [{ filename: "Pulumi.prod.yaml" }, { filename: "docs/a.md" }] });
    assert.doesNotMatch(quiet, /changes the code that computes/);
    assert.match(quiet, /all good/);
  });

  it("checks the same paths as preview.yml's git diff step", () => {
    const listed = /const REPORT_CODE = (\[[^\]]*\]);/.exec(script());
    assert.ok(listed, "REPORT_CODE in the comment script");
    const diffStep = only(stepsOf(preview.jobs.checks).filter((s) => /^git diff --name-only\b/.test(s.run ?? "")), "git diff step");
    const paths = /\s--\s+(.*?)\s*>/.exec(diffStep.run!)![1].split(/\s+/);
    assert.deepEqual([...(JSON.parse(listed[1]) as string[])].sort(), [...paths].sort());
  });

  it("keeps a long report under GitHub's comment size limit", async () => {
    const body = await bodyOf({ report: `${MARKER}\n${"a line of plan output\n".repeat(10000)}` });
    assert.ok(body.length < 65536, `${body.length} characters`);
    assert.match(body, /Truncated/);
  });

  it("closes a code fence the cut falls into, so that the note and footer render outside it", async () => {
    const diff = Array.from({ length: 5000 }, (_, i) => `+ role prod-web-${i} may s3:GetObject on arn:aws:s3:::bucket-${i}/*`).join("\n");
    const report = `${MARKER}\n## eks-irsa: offline checks\n\n## Access changes: stack \`prod\`\n\n\`\`\`diff\n${diff}\n\`\`\`\n`;
    const body = await bodyOf({ report });
    assert.ok(body.length < 65536, `${body.length} characters`);
    const note = body.indexOf("_Truncated");
    assert.ok(note > 0);
    assert.deepEqual(openAtEnd(body.slice(0, note)), { fence: null, details: 0 }, "the note must not be inside the diff block");
    assert.deepEqual(openAtEnd(body), { fence: null, details: 0 });
  });

  it("drops whole <details> from the end, keeping every access diff (end to end with preview.yml's report step)", async function () {
    requireJq();
    const big = (what: string) => Array.from({ length: 700 }, (_, i) => `${what} line ${i}: ${"x".repeat(20)}`).join("\n") + "\n";
    const files = stackFiles({ ...Object.fromEntries(stacks.flatMap((s) => [[`plan-${s}.txt`, big(`plan ${s}`)], [`policy-${s}.txt`, big(`policy ${s}`)]])), "report-code-changes.txt": "" });
    const report = writeReport(files, allPassed);
    assert.ok(report.length > 65536, `the test report must overflow (${report.length})`);
    const body = await bodyOf({ report });
    assert.ok(body.length < 65536, `${body.length} characters`);
    for (const s of stacks) assert.match(body, new RegExp(`## Access changes: stack \`${s}\``), `the access diff of ${s} survives`);
    assert.deepEqual(openAtEnd(body), { fence: null, details: 0 });
    const opened = (body.match(/<details>/g) ?? []).length;
    assert.equal(opened, (body.match(/<\/details>/g) ?? []).length);
    assert.ok(opened >= 1, "what fits stays");
    assert.match(body, /<summary>Policy pack: dev<\/summary>/, "the first details stay");
    assert.doesNotMatch(body, /<summary>Offline plan: prod<\/summary>/, "the last details go first");
    assert.match(body, /_Truncated to fit a comment: \d+ section\(s\) left out \([^)]*Offline plan: prod\)/);
    assert.doesNotMatch(body, /cut off/, "whole sections were enough");
  });
});

describe("workflows: deploy.yml (main)", () => {
  const { doc } = byFile("deploy.yml");

  it("runs on pushes to main and by hand", () => {
    assert.deepEqual(Object.keys(triggers(doc)).sort(), ["push", "workflow_dispatch"]);
    assert.deepEqual((triggers(doc).push as { branches: string[] }).branches, ["main"]);
  });

  it("checks (no credentials) before any deploy: npm ci, npm test, the policy pack for every stack", () => {
    const checks = doc.jobs.checks;
    assert.deepEqual(checks.permissions, { contents: "read" });
    const runs = runsOf(checks);
    assert.ok(runs.some((r) => /^npm ci\b/.test(r)) && runs.some((r) => /^npm test\b/.test(r)));
    for (const stack of stacks) assert.ok(runs.some((r) => stackArgsIn(r).some((a) => a.script === "policy" && a.stack === stack)), `npm run policy -- ${stack}`);
  });

  for (const stack of stacks) {
    it(`deploy-${stack}: pulumi up with the policy pack as the deploy role of ${stack}, never cancelled while running`, () => {
      const job = doc.jobs[`deploy-${stack}`];
      assert.ok(job, `jobs.deploy-${stack} (every Pulumi.<stack>.yaml needs its deploy job)`);
      assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
      assert.match(job.if ?? "", /github\.ref == 'refs\/heads\/main'/);
      assert.ok(typeof job.concurrency === "object" && job.concurrency.group.includes(stack));
      assert.equal(job.concurrency["cancel-in-progress"], false);
      const aws = only(stepsOf(job).filter(isAwsLogin), "AWS login");
      assert.equal(aws.with?.["role-to-assume"], `\${{ vars.AWS_DEPLOY_ROLE_ARN_${upper(stack)} }}`);
      assert.equal(aws.with?.["aws-region"], stackRegion(stack));
      const pulumi = only(stepsOf(job).filter(isPulumi), "pulumi/actions step");
      assert.equal(pulumi.with?.command, "up");
      assert.equal(pulumi.with?.["stack-name"], `\${{ vars.PULUMI_ORG }}/${stack}`);
      assert.equal(pulumi.with?.policyPacks, "policy");
      assert.equal(pulumi.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
      assert.equal(envName(job), stack, `deploy-${stack} takes its Pulumi token from the environment ${stack}, of its own`);
      assert.ok(!stepsOf(job).some((s) => s.with?.cache !== undefined), "no dependency cache in deploys");
    });
  }

  it("deploys dev first, after the checks, in the environment dev (its token; its role trusts environment:dev)", () => {
    const dev = doc.jobs["deploy-dev"];
    assert.deepEqual(needsOf(dev), ["checks"]);
    assert.equal(envName(dev), "dev");
  });

  it("deploys prod only after dev, in the environment prod (its protection rules are the approval)", () => {
    const prod = doc.jobs["deploy-prod"];
    assert.ok(needsOf(prod).includes("deploy-dev"));
    assert.equal(envName(prod), "prod");
    for (const stack of stacks.filter((s) => s !== "dev")) {
      assert.equal(envName(doc.jobs[`deploy-${stack}`]), stack, `deploy-${stack} needs the environment ${stack}`);
      assert.ok(needsOf(doc.jobs[`deploy-${stack}`]).length > 0);
    }
  });

  it("has no job but checks and one deploy job per stack", () => {
    assert.deepEqual(Object.keys(doc.jobs).sort(), ["checks", ...stacks.map((s) => `deploy-${s}`)].sort());
  });
});

describe("docs/github-oidc-role.md: the roles the workflows assume", () => {
  const text = readFileSync(DOC, "utf8");
  const blocks = [...text.matchAll(/<!-- (trust-policy for|permissions-policy): ([^>]+?) -->\s*```json\n([\s\S]*?)```/g)].map((m) => ({
    kind: m[1],
    names: m[2].trim().split(/\s+/),
    document: JSON.parse(m[3]) as { Statement: { Principal?: { Federated?: string }; Condition?: Record<string, Record<string, unknown>> }[] },
  }));
  const trusts = blocks.filter((b) => b.kind === "trust-policy for");
  const permissionPolicies = blocks.filter((b) => b.kind === "permissions-policy");

  /** The `sub` GitHub puts in the OIDC token of this job (the default claim format). */
  function expectedSub(wf: Workflow, job: Job): string {
    const env = envName(job);
    if (env) return `environment:${env}`;
    if ("pull_request" in triggers(wf)) return "pull_request";
    assert.match(job.if ?? "", /github\.ref == 'refs\/heads\/main'/, "a job without environment must be limited to main for its role to trust it");
    return "ref:refs/heads/main";
  }

  const assumed = workflows.flatMap(({ file, doc }) =>
    Object.entries(doc.jobs).flatMap(([id, job]) =>
      stepsOf(job)
        .filter(isAwsLogin)
        .map((s) => ({ where: `${file} ${id}`, variable: /vars\.([A-Z0-9_]+)/.exec(String(s.with?.["role-to-assume"]))?.[1], sub: expectedSub(doc, job) })),
    ),
  );

  it("documents a trust policy for every role a workflow assumes, pinning exactly the sub GitHub issues to that job", () => {
    assert.ok(assumed.length >= 2 * stacks.length);
    for (const { where, variable, sub } of assumed) {
      assert.ok(variable, `${where}: role-to-assume must be a repository variable`);
      const trust = only(trusts.filter((t) => t.names.includes(variable)), `trust policy for ${variable}`);
      for (const s of trust.document.Statement) {
        assert.match(String(s.Principal?.Federated), /:oidc-provider\/token\.actions\.githubusercontent\.com$/);
        assert.deepEqual(Object.keys(s.Condition ?? {}), ["StringEquals"], `${variable}: StringEquals only`);
        assert.equal(s.Condition!.StringEquals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        assert.equal(s.Condition!.StringEquals["token.actions.githubusercontent.com:sub"], `repo:OWNER/REPO:${sub}`, `${where}`);
      }
    }
  });

  it("documents every environment the workflows use, and says to create no repository-level PULUMI_ACCESS_TOKEN", () => {
    const environments = new Set(workflows.flatMap((w) => Object.values(w.doc.jobs).map(envName)).filter((e): e is string => e !== undefined));
    assert.deepEqual([...environments].sort(), ["dev", "preview", "prod"]);
    for (const e of environments) assert.match(text, new RegExp(`\\*\\*Environment \`${e}\`:?\\*\\*`), `the environment ${e} is not documented`);
    assert.match(text.replace(/\s+/g, " "), /Do \*\*not\*\* create a repository-level (\(or organisation-level\) )?secret `PULUMI_ACCESS_TOKEN`/);
  });

  it("recommends a CODEOWNERS entry for every path of the code that computes the PR report", () => {
    const block = /```text\n(# \.github\/CODEOWNERS[\s\S]*?)```/.exec(text);
    assert.ok(block, "a CODEOWNERS example");
    const owned = block[1].split("\n").filter((l) => l.startsWith("/")).map((l) => l.split(/\s+/)[0].slice(1));
    const diffStep = only(stepsOf(byFile("preview.yml").doc.jobs.checks).filter((s) => /^git diff --name-only\b/.test(s.run ?? "")), "git diff step");
    const paths = /\s--\s+(.*?)\s*>/.exec(diffStep.run!)![1].split(/\s+/);
    assert.deepEqual([...owned].sort(), [...paths].sort());
  });

  it("documents every variable and secret the workflows read", () => {
    const names = new Set(workflows.flatMap((w) => [...w.text.matchAll(/\b(?:vars|secrets)\.([A-Z0-9_]+)/g)].map((m) => m[1])));
    for (const name of names) assert.ok(text.includes(`\`${name}\``), `${name} is not documented`);
  });

  const resource = (type: string, name: string, inputs: Record<string, unknown>): Parameters<typeof checkResources>[0][number] => ({
    type,
    name,
    id: name,
    inputs,
    outputs: { ...inputs, arn: `arn:aws:iam::123456789012:${type.includes("role") ? "role" : "policy"}/${name}` },
    custom: true,
    options: { protect: false, dependsOn: [] },
  });

  it("trust policies pass every rule of the CrossGuard pack", async () => {
    assert.equal(trusts.length, 3);
    for (const t of trusts) {
      const findings = await checkResources([resource("aws:iam/role:Role", `trust-${t.names[0].toLowerCase()}`, { assumeRolePolicy: JSON.stringify(t.document) })]);
      assert.deepEqual(findings, [], t.names.join(" "));
    }
  });

  it("the pack refuses the same trusts with a wildcard sub (the check is live)", async () => {
    const t = trusts[0].document;
    const loose = { ...t, Statement: t.Statement.map((s) => ({ ...s, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "*" } } })) };
    const findings = await checkResources([resource("aws:iam/role:Role", "loose", { assumeRolePolicy: JSON.stringify(loose) })]);
    assert.ok(findings.some((f) => f.rule === "oidc-trust-without-exact-subject"), JSON.stringify(findings));
  });

  it("documents the read-only role a cross-account target's provider assumes in previews: it passes the pack, trusts the prod preview role only, and the prod preview role may assume it", async () => {
    const target = (kind: string) =>
      only([...text.matchAll(new RegExp(`<!-- target-${kind}-policy: ([^>]+?) -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``, "g"))], `target ${kind} policy`);
    const [, name, trustText] = target("trust");
    const [, , permissionsText] = target("permissions");
    const prod = parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, { previewRoleArn?: string }[]> };
    const previewRole = prod.config["eks-irsa:crossAccount"][0].previewRoleArn!;
    assert.equal(previewRole.split("/").pop(), name.trim(), "the documented role is the one prod's config names");
    const trust = JSON.parse(trustText) as { Statement: { Principal: { AWS: string } }[] };
    assert.deepEqual(trust.Statement.map((s) => s.Principal.AWS), ["arn:aws:iam::123456789012:role/github-eks-irsa-preview-prod"]);
    assert.deepEqual(await checkResources([resource("aws:iam/role:Role", "previewer", { assumeRolePolicy: trustText })]), []);
    assert.deepEqual(await checkResources([resource("aws:iam/policy:Policy", "previewer", { policy: permissionsText })]), []);
    assert.ok(!/"iam:(Create|Put|Delete|Update|Attach|Detach|Tag|Untag)/.test(permissionsText), "read-only");
    const previewProd = only(permissionPolicies.filter((p) => p.names[0] === "preview-prod"), "preview-prod");
    assert.ok(JSON.stringify(previewProd.document).includes(`"Action":"sts:AssumeRole","Resource":"${previewRole}"`), "the prod preview role may assume it");
    const deployProd = only(permissionPolicies.filter((p) => p.names[0] === "deploy-prod"), "deploy-prod");
    assert.ok(!JSON.stringify(deployProd.document).includes(previewRole) && !JSON.stringify(previewProd.document).includes("eks-irsa-deployer"), "previews never assume the deployer");
  });

  it("preview permissions pass every rule; deploy permissions draw only permissions-privilege-escalation", async () => {
    assert.deepEqual(permissionPolicies.map((p) => p.names[0]).sort(), ["deploy-dev-irsa", "deploy-prod", "preview-dev", "preview-prod"]);
    for (const p of permissionPolicies) {
      const findings = await checkResources([resource("aws:iam/policy:Policy", p.names[0], { policy: JSON.stringify(p.document) })]);
      const rules = [...new Set(findings.map((f) => f.rule))];
      assert.deepEqual(rules, p.names[0].startsWith("deploy-") ? ["permissions-privilege-escalation"] : [], `${p.names[0]}: ${findings.map((f) => f.message).join("; ")}`);
    }
  });
});
