/** A platform name as DNS-1123 (what every generated name is built from). */
export function platformName(rawName: string): string {
  return rawName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "my-platform";
}

/** The starter spec `plinth init` writes: small, valid, and every concern present once. */
export function starterSpec(rawName: string): string {
  const name = platformName(rawName);
  return `import { definePlatform } from "plinth";

// A starter platform: one cluster, a dev → prod ladder, one service with a database.
// Build it with \`plinth build\`; see \`plinth --help\` for the other commands.
export default definePlatform({
  name: "${name}",
  organisation: "${name}",
  domain: "${name}.example.com",
  repositories: {
    app: "https://github.com/example/${name}",
    gitops: "https://github.com/example/${name}-gitops",
    infra: "https://github.com/example/${name}-infra",
  },
  profiles: [
    {
      name: "aws",
      cloud: "aws",
      region: "eu-west-1",
      // Your AWS account: CloudNativePG's backups reach S3 only through IRSA, whose role ARN is built from it.
      accountId: "123456789012",
      dns: { provider: "route53", zone: "${name}.example.com" },
      secrets: { backend: "aws-secrets-manager" },
      objectStorage: { provider: "s3" },
      registry: { provider: "ecr", url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" },
      storageClass: "gp3",
      // OpenTofu state in S3 (created first, see runbooks/first-install.md): a restore from a fresh clone finds it.
      stateBackend: { type: "s3", bucket: "${name}-tofu-state", region: "eu-west-1" },
    },
  ],
  clusters: [
    {
      name: "main",
      profile: "aws",
      kind: "eks",
      nodePools: [{ name: "general", instanceType: "m6i.large", min: 2, max: 4 }],
      capacity: { cpu: "8", memory: "32Gi" },
      components: ["argocd", "argo-rollouts", "external-secrets", "cloudnative-pg", "velero"],
    },
  ],
  namespaces: [
    { name: "dev", cluster: "main", quota: { cpu: "2", memory: "4Gi" } },
    { name: "prod", cluster: "main", quota: { cpu: "4", memory: "8Gi" }, podSecurity: "restricted" },
  ],
  environments: [
    {
      name: "dev",
      cluster: "main",
      namespace: "dev",
      sync: "auto",
      tier: "standard",
      data: "synthetic",
      // Each environment reads its own secrets: the service's key "app/database" becomes "dev/app/database".
      secrets: { store: "aws", prefix: "dev" },
    },
    {
      name: "prod",
      cluster: "main",
      namespace: "prod",
      production: true,
      sync: "manual",
      approval: "pr+manual",
      tier: "full",
      data: "production",
      rollout: "canary",
      scale: { min: 2, max: 6 },
      hosts: ["${name}.example.com"],
      secrets: { store: "aws", prefix: "prod" },
      recovery: { rto: "2h", rpo: "15m" },
    },
  ],
  tiers: [
    { name: "standard", description: "the app and its database" },
    { name: "full", description: "everything production runs" },
  ],
  secretStores: [{ name: "aws", backend: "aws-secrets-manager", aws: { region: "eu-west-1" } }],
  services: [
    {
      name: "app",
      image: "ghcr.io/example/${name}-app",
      ports: [{ name: "http", port: 8080, expose: true }],
      secrets: { DATABASE_URL: { store: "aws", key: "app/database", property: "url" } },
      dependsOn: ["postgres"],
      ingress: { port: "http" },
      probes: { readiness: { path: "/healthz", port: "http" } },
    },
  ],
  dataServices: [
    {
      name: "postgres",
      engine: "postgres",
      version: "16",
      storage: "20Gi",
      backup: { method: "cnpg-pitr", schedule: "0 3 * * *", retention: "14d" },
    },
  ],
  analyses: [
    {
      name: "success-rate",
      prometheus: "http://prometheus.monitoring:9090",
      query: 'sum(rate(http_requests_total{status!~"5.."}[2m])) / sum(rate(http_requests_total[2m]))',
      successCondition: "result[0] >= 0.99",
    },
  ],
  rollouts: [
    { name: "canary", strategy: "canary", steps: [{ setWeight: 20 }, { pause: "5m" }, { analysis: ["success-rate"] }, { setWeight: 100 }] },
  ],
});
`;
}

/** The npm scripts a repository holding a spec runs (added to package.json where absent). */
export const PACKAGE_SCRIPTS: Record<string, string> = {
  "plinth:build": "plinth build",
  "plinth:check": "plinth check",
  "plinth:validate": "plinth validate --typecheck",
};

/**
 * package.json: a new one, or the user's with plinth's scripts and dev dependencies added where
 * absent (nothing of theirs is changed). Undefined when there is nothing to add.
 */
export function packageJson(existing: string | undefined, name: string, version: string): string | undefined {
  const manifest: Record<string, unknown> = existing === undefined ? { name: platformName(name), private: true, type: "module" } : (JSON.parse(existing) as Record<string, unknown>);
  const scripts = { ...(manifest.scripts as Record<string, string> | undefined) };
  const devDependencies = { ...(manifest.devDependencies as Record<string, string> | undefined) };
  const dependencies = (manifest.dependencies as Record<string, string> | undefined) ?? {};
  let changed = existing === undefined;
  for (const [script, command] of Object.entries(PACKAGE_SCRIPTS)) {
    if (scripts[script] === undefined) (scripts[script] = command), (changed = true);
  }
  const wanted = { plinth: `^${version}`, typescript: "~5.9.3" };
  for (const [dependency, range] of Object.entries(wanted)) {
    if (devDependencies[dependency] === undefined && dependencies[dependency] === undefined) (devDependencies[dependency] = range), (changed = true);
  }
  if (!changed) return undefined;
  return `${JSON.stringify({ ...manifest, scripts, devDependencies }, null, 2)}\n`;
}

/** tsconfig.json for a repository whose TypeScript is the spec (and whatever it imports). */
export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ["*.ts", "platform/**/*.ts"],
  },
  null,
  2,
)}\n`;

export const GITIGNORE = `node_modules/
# OpenTofu working state: never committed (the generated tree keeps its own .gitignore too).
.terraform/
*.tfstate
*.tfstate.*
*.tfplan
`;

/**
 * The CI workflow: \`plinth check\` on every pull request (no secrets, read-only token: the pull
 * request's spec is code that runs in the job), and a manual or dispatched job that records a new
 * image digest in releases.lock.yaml, rebuilds and commits. Written once; after that it is the
 * user's file. Values from the trigger reach the shell only through env, never inside the script.
 */
export const WORKFLOW = `# Written by \`plinth init\`; from now on it is yours to edit.
name: platform

on:
  pull_request:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      service:
        description: Service whose new image CI built
        required: true
        type: string
      environment:
        description: Environment that receives it (the first rung of the ladder)
        required: true
        type: string
      digest:
        description: Image digest (sha256:...)
        required: true
        type: string

jobs:
  check:
    # The pull request's platform.ts runs here: no secrets, a read-only token.
    if: github.event_name != 'workflow_dispatch'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      # Exit 1: the spec is invalid; 3: the generated tree is not what the spec says (run plinth build).
      # Under GitHub Actions it annotates the pull request and writes a step summary.
      - run: npx plinth check --typecheck --max-warnings 0

  record-release:
    # After merge, the application's pipeline dispatches this with the digest it pushed.
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    permissions:
      contents: write
    concurrency:
      group: releases-lock
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - name: Record the digest and rebuild
        env:
          SERVICE: \${{ inputs.service }}
          ENVIRONMENT: \${{ inputs.environment }}
          DIGEST: \${{ inputs.digest }}
        run: |
          npx plinth release set "$SERVICE" "$ENVIRONMENT" "$DIGEST"
          npx plinth build
          npx plinth check
      - name: Commit
        env:
          SERVICE: \${{ inputs.service }}
          ENVIRONMENT: \${{ inputs.environment }}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          git add releases.lock.yaml generated
          git commit -m "release: $SERVICE to $ENVIRONMENT"
          git push
`;

export interface InitFile {
  /** Relative to the folder init scaffolds. */
  path: string;
  content: string;
}

/**
 * What a new repository needs, minus what it already has: each file is written only when absent
 * (package.json gets plinth's scripts added), so re-running init never overwrites the user's edits.
 */
export function scaffold(name: string, version: string, existing: (file: string) => string | undefined): InitFile[] {
  const files: InitFile[] = [];
  const missing = (file: string, content: string) => {
    if (existing(file) === undefined) files.push({ path: file, content });
  };
  missing("platform.ts", starterSpec(name));
  const manifest = packageJson(existing("package.json"), name, version);
  if (manifest !== undefined) files.push({ path: "package.json", content: manifest });
  missing("tsconfig.json", TSCONFIG);
  missing(".gitignore", GITIGNORE);
  missing(".github/workflows/platform.yml", WORKFLOW);
  return files;
}
