import type { Severity } from "./diagnostics.js";

/**
 * What every rule id plinth reports means: the source of `plinth explain <rule>` and of the
 * README's rules table (scripts/generate-readme.mjs). A test fails when the code reports an id that
 * is not listed here, or the README's table differs from this list.
 */
export interface RuleDoc {
  /** The ids this entry explains; `<kind>` stands for any word (ref/unknown-<kind>). */
  ids: string[];
  /** Registry ids of checks that report the ids above (compiler/checks). */
  aliases?: string[];
  severity: Severity | "error or note" | "warning (acknowledgeable)";
  /** When it fires. */
  when: string;
  /** A spec fragment (or command) that triggers it. */
  example: string;
  /** What to do. */
  fix: string;
}

const ACK = "warning (acknowledgeable)" as const;

export const RULE_DOCS: readonly RuleDoc[] = [
  // The spec's shape.
  { ids: ["schema/unknown-key"], severity: "error", when: "a key the schema does not know (usually a typo)", example: `environments: [{ name: "dev", teir: "standard" }]`, fix: "use the key the hint suggests; `plinth schema` lists every key" },
  { ids: ["schema/missing"], severity: "error", when: "a required field is absent", example: `profiles: [{ name: "aws" }]  // no cloud`, fix: "add the field" },
  { ids: ["schema/wrong-type"], severity: "error", when: "a value of the wrong type", example: `scale: { replicas: "3" }`, fix: "write the type the message names" },
  { ids: ["schema/invalid-value", "schema/invalid-key"], severity: "error", when: "a value (or a record key) outside what the field accepts: an enum, a duration, a quantity, a grammar", example: `sync: "automatic"`, fix: "use one of the listed values, or the format the message names" },
  { ids: ["spec/control-character"], severity: "error", when: "a control character (CR, ESC, NUL…) anywhere in the spec", example: `name: "api\\r"`, fix: "remove it; names and values are single-line text" },
  { ids: ["spec/min-exceeds-max", "service/duplicate-port"], aliases: ["spec/consistency"], severity: "error", when: "fields that contradict each other: a minimum above its maximum, two ports with one name or number", example: `scale: { min: 5, max: 2 }`, fix: "make the values consistent" },
  // References.
  { ids: ["ref/unknown-<kind>"], aliases: ["ref/unknown"], severity: "error", when: "a reference names a cluster, namespace, environment, service, store, rollout, analysis… that does not exist, or an `acknowledge` entry names no rule", example: `environments: [{ name: "dev", cluster: "mian" }]`, fix: "fix the name (the hint suggests the closest) or declare the thing" },
  { ids: ["ref/duplicate-name"], severity: "error", when: "two entries of one kind share a name", example: `services: [{ name: "api" }, { name: "api" }]`, fix: "rename one" },
  { ids: ["ref/extends-cycle"], severity: "error", when: "environments extend each other in a loop", example: `{ name: "a", extends: "b" }, { name: "b", extends: "a" }`, fix: "break the loop" },
  { ids: ["ref/missing-cluster"], severity: "error", when: "a Kubernetes environment names no cluster and none can be inferred", example: `{ name: "dev", namespace: "dev" }  // two clusters`, fix: "set cluster" },
  { ids: ["ref/ambiguous-namespace"], severity: "error", when: "a namespace name exists on several clusters and the reference does not say which", example: `namespace: "apps"  // on two clusters`, fix: "set the cluster too" },
  { ids: ["ref/self-dependency"], severity: "error", when: "a service depends on itself", example: `{ name: "api", dependsOn: ["api"] }`, fix: "remove the entry" },
  { ids: ["ref/unused-override"], severity: "error", when: "a service or data-service override names an environment that does not run it", example: `overrides: { prod: { replicas: 3 } }  // not in prod`, fix: "remove the override or run it there" },
  { ids: ["ref/missing-secret-store", "secret/mixed-stores"], aliases: ["secret/store"], severity: "error", when: "a service's secret reference has no store in some environment (its own or the environment's), or one service reads several stores in one environment", example: `secrets: { DB: { key: "db" } }  // and the environment sets no secrets.store`, fix: "give the reference a store, or the environment `secrets: { store, prefix }`" },
  { ids: ["names/dns1123"], severity: "error", when: "a name that becomes a Kubernetes name or an output path is not a DNS-1123 label", example: `services: [{ name: "My_API" }]`, fix: "lower-case letters, digits and '-', at most 63 characters" },
  // Secrets.
  { ids: ["secret/literal-value"], severity: "error", when: "a secret value is written in the spec (credential-named env/values keys, known token shapes, `value` in a reference)", example: `env: { DB_PASSWORD: "hunter2" }`, fix: "store the value in a secret store and reference it: `{ store, key, property }`" },
  { ids: ["secret/shared-with-production"], severity: ACK, when: "a non-production environment reads the same secret (store and key) as production", example: "dev and prod both read vault `app/db`", fix: "give each environment its own path (`secrets.prefix`)" },
  // Capacity and resources.
  { ids: ["quota/overcommit"], severity: "error or note", when: "namespace quotas exceed cluster capacity (a note when `capacity.overcommit` accepts it with a reason)", example: "`capacity: { cpu: \"8\" }` with quotas summing to 12 cpu", fix: "lower quotas, raise capacity, or `capacity.overcommit: { accepted: true, reason }`" },
  { ids: ["quota/workloads-exceed"], severity: ACK, when: "what plinth deploys into a namespace requests more than its quota", example: "3 replicas × 1 cpu in a 2-cpu namespace", fix: "raise the quota, lower replicas or requests, or acknowledge it" },
  { ids: ["resources/request-exceeds-limit"], severity: "error", when: "a request larger than its limit", example: `resources: { requests: { cpu: "2" }, limits: { cpu: "1" } }`, fix: "lower the request or raise the limit" },
  // Deployability.
  { ids: ["deploy/unprovided"], severity: "error", when: "something the tree deploys consumes a Secret, StorageClass, CRD, identity, IP pool, bucket, DNS or registry credential that nothing generated provides and no `prerequisites` entry declares", example: "`storageClass: \"fast\"` that nothing creates", fix: "add the component that provides it, or declare it in `prerequisites` with a reason" },
  { ids: ["deploy/cycle"], severity: "error", when: "deployed things wait for each other in a loop, so no sync-wave or stage order exists", example: "A consumes what B provides and B what A provides", fix: "break the loop (a prerequisite, or a component that does not need the other)" },
  { ids: ["gateway/too-many-listeners"], severity: "error", when: "a cluster that routes through a Gateway (envoy-gateway) has more certified environment hosts than a Gateway's 64 listeners hold (one HTTPS listener per host, plus http)", example: "`hosts: [/* 64 hosts */]` on a cluster with envoy-gateway and cert-manager", fix: "give at most 63 environment hosts per cluster, or spread the environments over more clusters" },
  { ids: ["network/address-outside-pool"], severity: "error", when: "a fixed LoadBalancer address lies in none of its cluster's MetalLB pools, or a pool range is not an address range", example: "`loadBalancerIPs: [\"10.0.9.9\"]` outside `ipPools`", fix: "use an address inside a pool, or widen the pool" },
  { ids: ["network/egress-blocks-backups"], severity: ACK, when: "a namespace denies egress but holds a database archiving to object storage", example: "`networkPolicy: { egress: \"deny\" }` with a cnpg-pitr backup", fix: "allow egress to the object store" },
  { ids: ["secret/no-property"], severity: "error", when: "a service's secret reference names no `property` and does not ask for the whole secret, which would put a JSON object into the variable", example: `secrets: { DB_PASSWORD: { key: "db" } }`, fix: "name the field (`property: \"password\"`), or set `wholeObject: true` when the service reads the JSON object" },
  { ids: ["data/engine-not-deployable"], severity: "error", when: "a data service runs on a Kubernetes cluster where plinth cannot deploy its engine: minio (use the profile's object storage), a Redis line the pinned operator does not run, Vault without the cluster's vault component in that namespace", example: `dataServices: [{ name: "blobs", engine: "minio", namespace: "apps" }]`, fix: "run it in Compose only, change the version, or add the component the message names" },
  { ids: ["rollout/analysis-mismatch"], severity: "error", when: "a rollout gates a service on an HTTP analysis, but the service serves no HTTP port (only metrics, or none): the analysis would measure nothing and abort every rollout", example: "a worker without ports with `rollout: \"canary\"` whose analysis queries `http_requests_total`", fix: "give the service its own rollout (`overrides.<env>.rollout`) with an analysis that `measures: \"other\"` (failed jobs, queue depth)" },
  { ids: ["recovery/no-performer"], aliases: ["recovery/performer"], severity: "error", when: "nothing would take a backup: a method plinth cannot perform on that cluster (etcd on EKS or k3s, pg-dump, redis-rdb, a missing velero or cloudnative-pg component, a Vault no secret store logs in to) and no `external: { by }` says who runs it", example: `backups: [{ name: "etcd", method: "etcd-snapshot", cluster: "k3s" }]`, fix: "add what performs it, or declare `external: { by: \"…\" }` with who runs it" },
  { ids: ["recovery/no-snapshot-class"], severity: "error", when: "a volume-snapshot backup on a cluster whose StorageClass no CSI driver snapshots (local-path, hostpath, NFS)", example: "`method: \"volume-snapshot\"` on a k3s cluster with local-path", fix: "use a snapshotting StorageClass (EBS, OpenEBS LVM, Longhorn), or back the volumes up with Velero" },
  { ids: ["recovery/lifecycle-shorter-than-window"], severity: "error", when: "a backup's `expireAfter` (the bucket lifecycle) is shorter than its retention plus one schedule interval, so the oldest restorable point would lose its base backup", example: `backup: { retention: "30d", schedule: "0 3 * * *", expireAfter: "30d" }`, fix: "raise `expireAfter` to at least retention plus one interval, or leave it out" },
  { ids: ["state/credentials-in-local-state"], severity: "error", when: "a stack whose state holds credentials (the keys of the MinIO users plinth creates) keeps it in an unencrypted local file, which a relative path puts inside the generated tree", example: "`objectStorage: { provider: \"minio\" }` with `stateBackend: { type: \"local\" }`", fix: "`stateBackend: { type: \"local\", encryption: \"passphrase\" }` (TF_VAR_state_passphrase), or a remote backend (s3, http)" },
  { ids: ["storage/credentials-store"], severity: "error", when: "a MinIO consumer (Velero, a database backup) has nowhere for its keys: the profile names no vault store and the spec has none or several, or the named store is not Vault", example: "two vault stores and `objectStorage: { provider: \"minio\" }`", fix: "`objectStorage: { provider: \"minio\", credentialsStore: \"<vault store>\" }`, or the kubernetes secrets backend" },
  { ids: ["state/local-with-rto"], severity: ACK, when: "a cluster whose environments promise an RTO keeps its OpenTofu state in a local file, which a restore from a fresh clone lacks", example: "`stateBackend: { type: \"local\" }` with `recovery.rto`", fix: "use a remote state backend (s3)" },
  { ids: ["state/stateful-address-removed"], severity: ACK, when: "(`diff`, `check`) a stateful OpenTofu resource disappears from its stack without a `removed` block: applying would destroy it", example: "removing a cluster that owns a bucket", fix: "move it with a moved/removed block (or `tofu state mv`) first" },
  // Recovery.
  { ids: ["recovery/no-backup", "recovery/rpo-unachievable"], aliases: ["recovery/rpo"], severity: "error", when: "a stateful data service has no backup, or its backup's worst-case loss exceeds the RPO", example: "`recovery: { rpo: \"15m\" }` with a daily dump", fix: "add a backup (PITR for a short RPO) or relax the RPO" },
  { ids: ["recovery/rto-exceeded", "recovery/unknown-estimate"], severity: "error", when: "the restore procedure's estimated duration exceeds the RTO; a `restoreEstimates` key names no restore step", example: "`recovery: { rto: \"30m\" }` with a 2h restore", fix: "measure and record `restoreEstimates`, speed the restore up, or relax the RTO" },
  // Rollouts and releases.
  { ids: ["rollout/unguarded-production"], severity: "error", when: "production without approval, or without an analysed rollout; for a service with per-replica state (a StatefulSet, which no analysed canary can drive), without a rolling rollout and a readiness probe", example: `{ name: "prod", production: true, approval: "none" }`, fix: "`approval: \"pr+manual\"` and a canary or blue-green rollout with an analysis; for a StatefulSet a rolling rollout and `probes.readiness`" },
  { ids: ["rollout/stateful-strategy"], severity: "error", when: "a service with per-replica state (`state`, so a StatefulSet) uses a canary or blue-green rollout, which Argo Rollouts cannot drive on a StatefulSet", example: "`state: [{ name: \"index\", mountPath: \"/data\", size: \"20Gi\" }]` in an environment whose rollout is a canary", fix: "give the service a rolling rollout there (`overrides.<env>.rollout`); keep caches that may be rebuilt in `caches` instead, which Rollouts carry" },
  { ids: ["rollout/preview-analysis"], severity: "error", when: "a preview uses a rollout with analysis (its pr-N namespace has no AnalysisTemplates)", example: "a preview environment with `rollout: \"canary\"`", fix: "give previews a rollout without analysis" },
  { ids: ["rollout/analysis-args"], severity: "error", when: "an analysis query uses an argument the rollout does not pass, or the other way round", example: "`{{args.service}}` in a query with no such arg", fix: "pass the argument or remove it from the query" },
  { ids: ["data/production-data-downstream"], severity: "error", when: "production data below production, or real-derived data in a preview", example: `{ name: "staging", data: "production" }`, fix: "use anonymized or synthetic data there" },
  { ids: ["promotion/skips-rung"], severity: "error", when: "an environment promoted from anything but the rung below, or a rung running a digest or chart the rung below never ran (and the rung itself never ran: a rollback)", example: "`plinth promote api --from dev --to prod` past staging", fix: "promote one rung at a time" },
  { ids: ["promotion/nothing-to-promote"], severity: "error", when: "(`promote`) the source rung has no release of the service, or does not run it", example: "`plinth promote api --from dev --to staging` before any build reached dev", fix: "record a build first: `plinth release set api dev sha256:…`" },
  { ids: ["release/unpinned-production"], severity: ACK, when: "a service runs in production with no digest in `releases.lock.yaml` (once the lock exists)", example: "the lock lists api in dev only", fix: "promote a release into production" },
  { ids: ["release/chart-follows-branch"], severity: "error", when: "an environment of the ladder (any but a preview) renders a service with a chart that follows a branch or the newest version", example: `chart: { path: "deploy/chart" }  // no version`, fix: "pin `chart.version`, or let the lock pin it" },
  { ids: ["release/unknown-chart-version"], severity: "error", when: "the lock names a plinth-service version this plinth does not ship", example: "`chart: 9.9.9` in releases.lock.yaml", fix: "promote a shipped version, or use the plinth that ships it" },
  { ids: ["release/chart-unpinned"], severity: ACK, when: "a lock entry of the ladder records no chart version (the lock's first format)", example: "`api: { prod: sha256:… }`", fix: "record the next release with `plinth promote` (digest and chart together)" },
  { ids: ["chart/values-schema"], severity: "error", when: "a service's own chart (a path beside the spec) has a `values.schema.json` that a values file does not meet", example: "a chart whose schema has no `rollout` key", fix: "make the chart accept plinth's values contract, or use plinth-service" },
  { ids: ["component/end-of-life", "component/moved-image"], severity: ACK, when: "a cluster installs a component past its end of life (ingress-nginx, retired in March 2026), or an image comes from a repository that moved (Bitnami's, now a legacy repository)", example: `components: ["ingress-nginx"]`, fix: "move to the replacement the hint names (envoy-gateway; the upstream project's image)" },
  // Loading.
  { ids: ["load/syntax-error", "load/type-error"], severity: "error", when: "the spec does not parse, or (`--typecheck`) does not type-check under the nearest tsconfig.json", example: `export default definePlatform({ name: "a", )`, fix: "fix the code at the location shown" },
  { ids: ["load/no-spec", "load/ambiguous-spec", "load/unsupported-file", "load/no-default-export", "load/missing-export", "load/missing-import", "load/import-cycle"], severity: "error", when: "no spec in the folder, two specs in one folder, an unknown file type, no default export, a missing import or export, an import cycle", example: "`platform.ts` and `platform.yaml` side by side", fix: "keep one spec per folder, export the platform as default, fix the import" },
  { ids: ["load/evaluation-error", "load/process-exit", "load/unhandled-rejection", "load/timeout", "load/out-of-memory"], severity: "error", when: "evaluating the spec threw, called `process.exit`, left a rejected promise, exceeded `--timeout` or the memory limit", example: "`process.exit(0)` in platform.ts", fix: "the spec must compute a value and return; see the located line" },
  { ids: ["load/not-data", "load/cycle", "load/too-deep"], severity: "error", when: "the exported value is not plain data: a function, a class instance, a cycle, nesting deeper than 64 levels", example: "`spec.self = spec`", fix: "export plain objects, arrays, strings, numbers and booleans" },
  { ids: ["load/invalid-utf8", "load/too-large", "load/unknown-tag", "load/undefined-alias", "load/alias-expansion", "load/forbidden-key"], severity: "error", when: "input refused by the strict parsers: invalid UTF-8, over 4 MB, an unknown YAML tag, an alias to no anchor, an alias bomb, a duplicate or `__proto__` key", example: "`!!python/object` in platform.yaml", fix: "plain UTF-8 YAML/JSON without tags, anchors tricks or duplicate keys" },
  { ids: ["load/unsafe-cache"], severity: "error", when: "the transpile cache folder is a link, belongs to another user, or others can access it", example: "`PLINTH_CACHE_DIR=/tmp`", fix: "point `PLINTH_CACHE_DIR` at a private folder (mode 0700)" },
  // Writing and the command line.
  { ids: ["write/not-owned", "write/bad-manifest", "write/other-platform", "write/symlink", "write/locked"], severity: "error", when: "build would overwrite a file plinth did not generate, the manifest is unreadable, the folder holds another platform's tree, a symbolic link lies under --out, or another run holds the lock (nothing is written)", example: "a hand-written file at a generated path", fix: "move the file away, choose another --out, or wait for the other run" },
  { ids: ["io/error"], severity: "error", when: "the file system refused (no permission, a file where a folder should be, a full disk)", example: "`--out` naming a file", fix: "fix the path or the permissions" },
  { ids: ["cli/unknown-target", "cli/bad-option", "cli/missing-option", "cli/unknown-rule"], severity: "error", when: "a command line plinth cannot run", example: "`plinth build --target helmm`", fix: "see `plinth <command> --help`" },
  { ids: ["cli/max-warnings"], severity: "error", when: "a run reported more warnings than `--max-warnings N` allows", example: "`plinth check --max-warnings 0` with one warning", fix: "fix the warnings, or acknowledge them in the spec (`acknowledge: [{ rule, reason }]`)" },
  { ids: ["init/exists"], severity: "error", when: "(`init`) every file init writes already exists", example: "`plinth init` twice", fix: "nothing to do: the files are yours" },
  { ids: ["compose/unknown-tier", "compose/out-not-empty"], severity: "error", when: "(`compose`) the tier is not in the spec, or --out holds files that are not an earlier bundle", example: "`plinth compose --tier tiny`", fix: "use a tier the spec defines; an empty folder or an earlier bundle" },
  { ids: ["internal/bug"], severity: "error", when: "(`--json` only) plinth failed internally: exit 2", example: "", fix: "report it with the output of the same command run with --debug" },
];

/** The entry explaining a rule id, if any (`ref/unknown-cluster` matches `ref/unknown-<kind>`). */
export function ruleDoc(id: string): RuleDoc | undefined {
  const matches = (pattern: string) => pattern === id || (pattern.includes("<") && new RegExp(`^${pattern.replace(/<[a-z]+>/g, "[a-z0-9-]+")}$`).test(id));
  return RULE_DOCS.find((doc) => doc.ids.some(matches) || doc.aliases?.includes(id));
}

/** The README's rules table (between its `rules` markers). */
export function rulesTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = RULE_DOCS.map((d) => `| ${d.ids.map((id) => `\`${id}\``).join(", ")} | ${d.severity} | ${cell(d.when)} | ${cell(d.fix)} |`);
  return ["| id | severity | fires when | what to do |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
