// The deploy files (.github/deploy/) against what serve accepts: every flag in them is one serve
// has (from the command's own definition, so a renamed flag fails here), ports, probe paths and
// environment names line up across each file, and each config.toml passes tether's own validation.
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { parseConfigSource, validateParsed } from "../../src/config/load.ts";
import { IDLE_TIMEOUT_SECONDS, MAX_REQUEST_BODY_BYTES } from "../../src/serve/http.ts";
import { CONTAINERFILE, parseContainerfile } from "../../.github/container/stage.ts";
import {
  composeFile,
  composeReplicas,
  DEPLOY_DIR,
  kubernetesObjects,
  parseServeArgs,
  readDeployFile,
  serveArgvOf,
  serveAcceptedFlags,
  unknownFlags,
  type Yaml,
} from "../support/deploy.ts";
import { readFileSync } from "node:fs";

const accepted = serveAcceptedFlags();
/** Every value the flags give. */
const valuesOf = (argv: string[]) => parseServeArgs(argv, accepted).flags;

/** Env var names a config.toml makes tether read: `*_env_var` keys and `env_vars` lists, anywhere in it. */
function envNamesIn(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.flatMap(envNamesIn);
  if (!raw || typeof raw !== "object") return [];
  return Object.entries(raw).flatMap(([key, value]) =>
    key.endsWith("_env_var") && typeof value === "string" ? [value] : key === "env_vars" && Array.isArray(value) ? value.map(String) : envNamesIn(value),
  );
}

async function validConfig(source: string, file: string): Promise<unknown> {
  const raw = parseConfigSource(source, file);
  await validateParsed(raw, source, file);
  return raw;
}

/** The env var names serve's flags name (`--token-env-var NAME` and the like). */
function flagEnvNames(values: Map<string, string | true>): string[] {
  return [...values].filter(([flag]) => flag.endsWith("-env-var")).map(([, name]) => String(name));
}

const httpPort = (values: Map<string, string | true>) => Number(String(values.get("http")).split(":").at(-1));
/** TETHER_HOME as the release image sets it. */
const imageTetherHome = parseContainerfile(readFileSync(CONTAINERFILE, "utf8"))
  .filter((i) => i.keyword === "ENV")
  .map((i) => /^TETHER_HOME=(\S+)/.exec(i.args)?.[1])
  .find(Boolean);

describe("kubernetes.yaml", () => {
  const objects = kubernetesObjects();
  const find = (kind: string, name: string): Yaml => {
    const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) throw new Error(`kubernetes.yaml has no ${kind} ${name}`);
    return found;
  };
  const deployment = find("Deployment", "tether");
  const pod = deployment.spec.template.spec;
  const container: Yaml = pod.containers.find((c: Yaml) => c.name === "tether");
  const argv = serveArgvOf(container.args);
  const values = valuesOf(argv);
  const env = new Map<string, Yaml>(container.env.map((e: Yaml) => [e.name, e]));
  const portNamed = (port: string | number) => (typeof port === "number" ? port : container.ports.find((p: Yaml) => p.name === port)?.containerPort);

  test("three replicas of the release image run `tether mcp serve` with flags serve accepts", () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(container.image).toBe("ghcr.io/OWNER/tether:VERSION");
    expect(container.command).toBeUndefined(); // the image's entrypoint is tether
    expect(unknownFlags(argv, accepted)).toEqual([]);
    for (const flag of ["http", "config", "token-env-var", "state-env-var", "state-key-env-var", "drain-timeout"]) expect(values.has(flag)).toBe(true);
    expect(String(values.get("http"))).toMatch(/^0\.0\.0\.0:\d+$/);
  });

  test("the port serve binds is the container's, the probes' and the Service's", () => {
    const port = httpPort(values);
    expect(container.ports.map((p: Yaml) => p.containerPort)).toEqual([port]);
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(portNamed(container.readinessProbe.httpGet.port)).toBe(port);
    expect(portNamed(container.livenessProbe.httpGet.port)).toBe(port);
    const service = find("Service", "tether");
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: Yaml) => portNamed(p.targetPort))).toEqual([port]);
  });

  test("the grace period outlasts the preStop pause plus --drain-timeout", () => {
    const drain = Number(values.get("drain-timeout"));
    const pause = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(drain).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drain + pause);
  });

  test("every env var serve or config.toml reads is set, secrets from the Secret, never as a value", async () => {
    const secretRef = (name: string) => env.get(name)?.valueFrom?.secretKeyRef;
    for (const name of flagEnvNames(values)) expect({ name, set: env.has(name) }).toEqual({ name, set: true });
    expect(secretRef(String(values.get("token-env-var")))).toBeTruthy();
    expect(secretRef(String(values.get("state-key-env-var")))).toBeTruthy();
    // The Redis URL is assembled from a secret password by Kubernetes ($(VAR)), so it holds no literal one.
    const stateUrl = env.get(String(values.get("state-env-var")))!;
    const password = /^rediss?:\/\/[^:@/]*:\$\((\w+)\)@/.exec(stateUrl.value ?? "")?.[1];
    expect(stateUrl.valueFrom?.secretKeyRef ?? (password && secretRef(password))).toBeTruthy();
    const names = [...container.env.map((e: Yaml) => e.name)];
    expect(names.indexOf(password)).toBeLessThan(names.indexOf(stateUrl.name)); // $(VAR) expands only earlier vars

    const configPath = String(values.get("config"));
    const mount = container.volumeMounts.find((m: Yaml) => m.mountPath === path.dirname(configPath));
    const volume = pod.volumes.find((v: Yaml) => v.name === mount?.name);
    const configMap = find("ConfigMap", volume?.configMap?.name);
    const source = configMap.data[path.basename(configPath)];
    const raw = await validConfig(source, "kubernetes.yaml ConfigMap config.toml");
    for (const name of envNamesIn(raw)) expect({ name, secret: Boolean(secretRef(name)) }).toEqual({ name, secret: true });
  });

  test("TETHER_HOME is writable under a read-only root, and the Redis URL names the Redis Service's port", () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const home = container.volumeMounts.find((m: Yaml) => m.mountPath === imageTetherHome);
    expect(pod.volumes.find((v: Yaml) => v.name === home?.name)?.emptyDir).toBeDefined();

    const url = new URL(env.get(String(values.get("state-env-var")))!.value);
    const redis = find("Service", url.hostname);
    expect(redis.spec.ports.map((p: Yaml) => p.port)).toEqual([Number(url.port)]);
    const redisDeployment = find("Deployment", "tether-redis");
    expect(redis.spec.selector).toEqual(redisDeployment.spec.selector.matchLabels);
    const redisContainer = redisDeployment.spec.template.spec.containers[0];
    expect(redisContainer.args.join(" ")).toContain("--requirepass $(REDIS_PASSWORD)");
  });
});

describe("compose.yaml and nginx.conf", () => {
  const compose = composeFile();
  const replicas = composeReplicas(compose);
  const nginxConf = readDeployFile("nginx.conf");
  const upstream = /upstream\s+tether\s*\{([^}]*)\}/.exec(nginxConf)?.[1] ?? "";

  test("Redis, two tether replicas with flags serve accepts, and nginx in front", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["nginx", "redis", ...replicas.map(([name]) => name)].sort());
    expect(replicas).toHaveLength(2);
    for (const [, service] of replicas) expect(unknownFlags(serveArgvOf(service.command), accepted)).toEqual([]);
  });

  test("nginx round-robins over exactly the replicas, on the port they bind, and publishes the port it listens on", () => {
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers).toEqual(replicas.map(([name, service]) => `${name}:${httpPort(valuesOf(serveArgvOf(service.command)))}`));
    expect(upstream).not.toMatch(/\b(ip_hash|hash|least_conn|sticky)\b/); // round-robin: no affinity needed
    const listen = Number(/^\s*listen\s+(\d+)\s*;/m.exec(nginxConf)?.[1]);
    const nginx = compose.services.nginx;
    expect(nginx.ports).toEqual([`${listen}:${listen}`]);
    expect(nginx.volumes).toContain("./nginx.conf:/etc/nginx/nginx.conf:ro");
    expect(nginxConf).not.toMatch(/^\s*(daemon|pid)\s/m); // set by the image's command and by the tests
  });

  test("nginx passes SSE through unbuffered on HTTP/1.1 keep-alive that serve's idle close cannot race", () => {
    for (const directive of ["proxy_buffering off;", "proxy_cache off;", "proxy_http_version 1.1;", 'proxy_set_header Connection "";']) {
      expect(nginxConf).toContain(directive);
    }
    expect(upstream).toMatch(/^\s*keepalive\s+\d+;/m);
    expect(Number(/keepalive_timeout\s+(\d+)s;/.exec(upstream)?.[1])).toBeLessThan(IDLE_TIMEOUT_SECONDS);
    expect(/proxy_read_timeout\s+(\w+);/.exec(nginxConf)?.[1]).toBe("1h");
    expect(/client_max_body_size\s+(\d+)m;/.exec(nginxConf)?.[1]).toBe(String(MAX_REQUEST_BODY_BYTES / 1024 / 1024));
  });

  test("each replica's env sets what its flags and config.toml name; the Redis URL names the redis service", async () => {
    const raw = await validConfig(readDeployFile("config.toml"), path.join(DEPLOY_DIR, "config.toml"));
    for (const [name, service] of replicas) {
      const values = valuesOf(serveArgvOf(service.command));
      const environment = Object.keys(service.environment);
      for (const env of [...flagEnvNames(values), ...envNamesIn(raw)]) expect({ name, env, set: environment.includes(env) }).toEqual({ name, env, set: true });
      expect(service.volumes).toContain(`./config.toml:${values.get("config")}:ro`);
      const url = new URL(service.environment[String(values.get("state-env-var"))]);
      expect(compose.services[url.hostname]?.image).toMatch(/^redis:/);
      expect(Number(service.stop_grace_period.replace(/s$/, ""))).toBeGreaterThan(Number(values.get("drain-timeout")));
    }
  });
});

test("a flag serve does not have is caught, and so is a missing value", () => {
  expect(unknownFlags(["--http", "0.0.0.0:8080", "--token-env", "X", "--servers"], accepted)).toEqual(["--token-env is not a serve flag", "--servers needs a value"]);
});
