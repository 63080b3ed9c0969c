import type { ModelDataService } from "../../compiler/model.js";
import { shellCommand, shellQuote } from "../../compiler/formats/shell.js";

/** Image of the throwaway container that tars a volume (busybox tar, no shell tools in the engine needed). */
export const VOLUME_TOOL_IMAGE = "alpine:3.20";

/** A secret file the bundle itself needs, with no counterpart in the platform's stores. */
export interface EngineCredential {
  /** Appended to the data service's name to form the secret's name. */
  suffix: string;
  /** Environment variable of the engine's image that names the file. */
  variable: string;
  purpose: string;
  /** Shell command that writes a fresh value to `path`. */
  generate: (path: string) => string;
}

/** How one engine runs in a Compose bundle. All commands are the engine image's own tools. */
export interface Engine {
  /** Where the engine keeps its state: the named volume's mount point. */
  dataPath: (ds: ModelDataService) => string;
  credentials: EngineCredential[];
  /** Non-secret environment; `secretPath(suffix)` is where a credential's file is mounted. */
  environment: (ds: ModelDataService, secretPath: (suffix: string) => string) => Record<string, string>;
  command?: (ds: ModelDataService) => string[];
  /** Health check run inside the container (exec form unless it needs a pipe). */
  healthcheck: (ds: ModelDataService) => { test: string[]; startPeriod: string };
  /** Backup and restore shell commands, run from the bundle folder; undefined when nothing is stateful. */
  backup: (ds: ModelDataService, dependents: string[]) => { how: string; backup: string[]; restore: string[] } | undefined;
  /** Things the operator must know or do (host settings, unsealing). */
  notes: (ds: ModelDataService) => string[];
}

/** The UTC timestamp a backup file is named by, evaluated by the operator's shell. */
const STAMP = "$(date -u +%Y%m%dT%H%M%SZ)";
/** The superuser the postgres image creates; bundle services log in as it (POSTGRES_USERNAME). */
export const POSTGRES_USER = "postgres";
export const GENERATE_RANDOM = (path: string) => `openssl rand -hex 32 | tr -d '\\n' > ${shellQuote(path)}`;

/** Postgres 18 images keep PGDATA in a versioned folder under /var/lib/postgresql and declare that as the volume. */
const postgresDataPath = (ds: ModelDataService) => (Number.parseInt(ds.version, 10) >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data");

/** Stop, tar the volume from a helper container, start: consistent for any engine, at the cost of a short stop. */
function volumeArchive(ds: ModelDataService, dataPath: string): { how: string; backup: string[]; restore: string[] } {
  const name = ds.name;
  const container = `"$(docker compose ps -a -q ${shellQuote(name)})"`;
  return {
    how: `stops ${name}, archives its volume (${dataPath}) with a throwaway ${VOLUME_TOOL_IMAGE} container, starts it again`,
    backup: [
      "mkdir -p backups",
      shellCommand("docker", "compose", "stop", name),
      `docker run --rm --volumes-from ${container} -v "$PWD/backups:/backups" ${VOLUME_TOOL_IMAGE} tar czf "/backups/${name}-${STAMP}.tar.gz" -C ${shellQuote(dataPath)} .`,
      shellCommand("docker", "compose", "start", name),
    ],
    restore: [
      shellCommand("docker", "compose", "stop", name),
      `docker run --rm --volumes-from ${container} -v "$PWD/backups:/backups:ro" ${VOLUME_TOOL_IMAGE} sh -c ${shellQuote(
        `find ${shellQuote(dataPath)} -mindepth 1 -delete && tar xzf /backups/${name}-YYYYMMDDTHHMMSSZ.tar.gz -C ${shellQuote(dataPath)}`,
      )}`,
      shellCommand("docker", "compose", "start", name),
    ],
  };
}

const stopDependents = (dependents: string[]) => (dependents.length > 0 ? [shellCommand("docker", "compose", "stop", ...dependents)] : []);
const startDependents = (dependents: string[]) => (dependents.length > 0 ? [shellCommand("docker", "compose", "start", ...dependents)] : []);

export const ENGINES: Record<ModelDataService["engine"], Engine> = {
  postgres: {
    dataPath: postgresDataPath,
    credentials: [{ suffix: "password", variable: "POSTGRES_PASSWORD_FILE", purpose: `${POSTGRES_USER} superuser password`, generate: GENERATE_RANDOM }],
    environment: (ds, secretPath) => ({ POSTGRES_DB: ds.name, POSTGRES_PASSWORD_FILE: secretPath("password"), POSTGRES_USER: POSTGRES_USER }),
    healthcheck: (ds) => ({ test: ["CMD", "pg_isready", "-U", POSTGRES_USER, "-d", ds.name], startPeriod: "30s" }),
    backup: (ds, dependents) => {
      const exec = (...words: string[]) => shellCommand("docker", "compose", "exec", "-T", ds.name, ...words);
      return {
        how: "pg_dump in custom format while it runs; pg_restore replaces the database's objects",
        backup: ["mkdir -p backups", `${exec("pg_dump", "-U", POSTGRES_USER, "-d", ds.name, "--format=custom")} > "backups/${ds.name}-${STAMP}.dump"`],
        restore: [
          ...stopDependents(dependents),
          `${exec("pg_restore", "-U", POSTGRES_USER, "-d", ds.name, "--clean", "--if-exists")} < backups/${ds.name}-YYYYMMDDTHHMMSSZ.dump`,
          ...startDependents(dependents),
        ],
      };
    },
    notes: () => [],
  },
  redis: {
    dataPath: () => "/data",
    credentials: [],
    environment: () => ({}),
    healthcheck: () => ({ test: ["CMD-SHELL", "redis-cli ping | grep -q PONG"], startPeriod: "10s" }),
    backup: (ds) => {
      if (!ds.stateful) return undefined;
      const waitForSave =
        'redis-cli BGSAVE >/dev/null && while redis-cli INFO persistence | grep -q "rdb_bgsave_in_progress:1"; do sleep 1; done && redis-cli INFO persistence | grep -q "rdb_last_bgsave_status:ok"';
      return {
        how: "BGSAVE writes a consistent dump.rdb while it runs; restore puts it back while redis is stopped",
        backup: [
          "mkdir -p backups",
          `${shellCommand("docker", "compose", "exec", "-T", ds.name, "sh", "-c", waitForSave)}`,
          `docker compose cp ${shellQuote(`${ds.name}:/data/dump.rdb`)} "backups/${ds.name}-${STAMP}.rdb"`,
        ],
        restore: [
          shellCommand("docker", "compose", "stop", ds.name),
          `docker compose run --rm --no-deps -v "$PWD/backups:/backups:ro" --entrypoint cp ${shellQuote(ds.name)} /backups/${ds.name}-YYYYMMDDTHHMMSSZ.rdb /data/dump.rdb`,
          shellCommand("docker", "compose", "start", ds.name),
        ],
      };
    },
    notes: () => [],
  },
  nats: {
    dataPath: () => "/data",
    credentials: [],
    environment: () => ({}),
    // The alpine image's entrypoint runs nats-server for flag arguments; 8222 serves /healthz.
    command: (ds) => (ds.stateful ? ["--jetstream", "--store_dir", "/data", "--http_port", "8222"] : ["--http_port", "8222"]),
    healthcheck: () => ({ test: ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:8222/healthz"], startPeriod: "10s" }),
    backup: (ds) => (ds.stateful ? volumeArchive(ds, "/data") : undefined),
    notes: (ds) =>
      ds.composeImage.includes("alpine")
        ? []
        : [`The health check uses wget, which only the alpine variants of the nats image have; ${ds.composeImage} may never turn healthy.`],
  },
  opensearch: {
    dataPath: () => "/usr/share/opensearch/data",
    credentials: [],
    // A single node on the bundle's private network, never published: the security plugin (and its demo certificates) stays off.
    environment: () => ({ DISABLE_INSTALL_DEMO_CONFIG: "true", DISABLE_SECURITY_PLUGIN: "true", "discovery.type": "single-node" }),
    healthcheck: () => ({ test: ["CMD", "curl", "-fsS", "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s"], startPeriod: "60s" }),
    backup: (ds) => (ds.stateful ? volumeArchive(ds, "/usr/share/opensearch/data") : undefined),
    notes: (ds) => [
      `${ds.name} (OpenSearch) needs the host setting vm.max_map_count of at least 262144: sudo sysctl -w vm.max_map_count=262144 (persist it in /etc/sysctl.d/).`,
    ],
  },
  minio: {
    dataPath: () => "/data",
    credentials: [
      { suffix: "root-user", variable: "MINIO_ROOT_USER_FILE", purpose: "root user name", generate: (path) => `printf '%s' admin > ${shellQuote(path)}` },
      { suffix: "root-password", variable: "MINIO_ROOT_PASSWORD_FILE", purpose: "root password", generate: GENERATE_RANDOM },
    ],
    environment: (_ds, secretPath) => ({ MINIO_ROOT_PASSWORD_FILE: secretPath("root-password"), MINIO_ROOT_USER_FILE: secretPath("root-user") }),
    command: () => ["server", "/data", "--console-address", ":9001"],
    healthcheck: () => ({ test: ["CMD", "mc", "ready", "local"], startPeriod: "10s" }),
    backup: (ds) => (ds.stateful ? volumeArchive(ds, "/data") : undefined),
    notes: () => [],
  },
  vault: {
    dataPath: () => "/vault/file",
    credentials: [],
    environment: (ds) => ({
      VAULT_ADDR: "http://127.0.0.1:8200",
      // The image's entrypoint writes this to /vault/config/local.json for `vault server`.
      VAULT_LOCAL_CONFIG: JSON.stringify({
        api_addr: "http://127.0.0.1:8200",
        cluster_addr: "http://127.0.0.1:8201",
        disable_mlock: true,
        listener: [{ tcp: { address: "0.0.0.0:8200", tls_disable: true } }],
        storage: { raft: { node_id: ds.name, path: "/vault/file" } },
        ui: true,
      }),
    }),
    command: () => ["server"],
    // `vault status` exits 2 while sealed: dependents start only once it is unsealed.
    healthcheck: () => ({ test: ["CMD", "vault", "status"], startPeriod: "10s" }),
    backup: (ds) => (ds.stateful ? volumeArchive(ds, "/vault/file") : undefined),
    notes: (ds) => [
      `${ds.name} (Vault) starts sealed, and again after every restart: unseal it (see the start steps) before services that depend on it can start.`,
    ],
  },
};
