import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * No container engine or systemd runs on these machines, so the deployment files are checked for
 * the rules the product relies on: a change that breaks one fails here, not on the first deploy.
 */
const root = resolve(import.meta.dirname, "../..");
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const packageJson = JSON.parse(read("package.json")) as { readonly scripts: Record<string, string> };
const nodeMajor = read(".nvmrc").trim();

/** `npm start`'s node arguments, e.g. `--max-semi-space-size=16 adapters/main.ts`. */
const startArgs = (packageJson.scripts["start"] ?? "").split(/\s+/).slice(1);

interface Instruction {
  readonly op: string;
  readonly args: string;
  /** Which FROM this instruction belongs to (0 for the first stage). */
  readonly stage: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(): Instruction[] {
  const joined = read("Dockerfile")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  let stage = -1;
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [op = "", ...rest] = line.split(/\s+/);
      if (op.toUpperCase() === "FROM") stage++;
      return { op: op.toUpperCase(), args: rest.join(" "), stage };
    });
}

/** An exec-form argument list (`["node", "x.ts"]`), or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((part) => typeof part === "string") ? parsed : undefined;
}

/** ENV lines of a stage as a map (`ENV A=1 B=2`). */
function envOf(instructions: readonly Instruction[], stage: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const { args } of instructions.filter((instruction) => instruction.op === "ENV" && instruction.stage === stage)) {
    for (const pair of args.split(/\s+/)) {
      const [key, value] = pair.split("=");
      if (key && value !== undefined) env.set(key, value);
    }
  }
  return env;
}

/** Whether `.dockerignore` leaves `path` (relative to the repository) out of the build context; the last matching pattern wins. */
function ignored(path: string, patterns: readonly string[]): boolean {
  const toRegExp = (pattern: string): RegExp =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\//g, "\u0000").replace(/\*/g, "[^/]*").replace(/\u0000/g, "(?:.*/)?")}$`);
  const parts = path.split("/");
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join("/"));
  let excluded = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const expression = toRegExp(negated ? pattern.slice(1) : pattern);
    if (prefixes.some((prefix) => expression.test(prefix))) excluded = !negated;
  }
  return excluded;
}

const dockerignore = read(".dockerignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

/** Local files a module loads at run time: imports, re-exports, literal dynamic imports, and `new URL("./…", import.meta.url)` (workers, assets). */
function localFilesFrom(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((entry) => resolve(root, entry));
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".ts") || statSync(file).isDirectory()) continue;
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    const specifiers = [
      ...[...code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s+(?!type\s)(?:[\w$*{}\s,]+?\s+from\s+)?["'](\.[^"']+)["']/g)].map((match) => match[1]),
      ...[...code.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)].map((match) => match[1]),
      ...[...code.matchAll(/new URL\(\s*["'`](\.[^"'`$]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)].map((match) => match[1]),
    ];
    for (const specifier of specifiers) if (specifier) queue.push(resolve(dirname(file), specifier));
  }
  return new Set([...seen].map((file) => relative(root, file)));
}

/** What the image runs: npm start, its HEALTHCHECK, and the operator's commands (those scripts that exist). */
const imageEntries = ["adapters/main.ts", "adapters/healthProbe.ts", ...["rebuild", "backup", "restore"].flatMap((script) => (packageJson.scripts[script] ?? "").split(/\s+/).filter((word) => word.endsWith(".ts")))];

describe("the Dockerfile", () => {
  const instructions = dockerfile();
  const last = Math.max(...instructions.map((instruction) => instruction.stage));
  const final = instructions.filter((instruction) => instruction.stage === last);

  it("builds in stages from Node's slim image of .nvmrc's major version, installing only production dependencies by the lock file", () => {
    const froms = instructions.filter((instruction) => instruction.op === "FROM");
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const { args } of froms) expect(args.split(/\s+/)[0]).toBe(`node:${nodeMajor}-slim`);
    const install = instructions.filter((instruction) => instruction.op === "RUN" && instruction.stage < last).map((instruction) => instruction.args);
    expect(install.some((command) => /\bnpm ci\b/.test(command) && command.includes("--omit=dev"))).toBe(true);
    const firstStageName = froms[0]?.args.split(/\s+AS\s+/i)[1];
    expect(final.some((instruction) => instruction.op === "COPY" && instruction.args.includes(`--from=${firstStageName}`) && instruction.args.includes("node_modules"))).toBe(true);
    expect(final.some((instruction) => instruction.op === "RUN" && /\bnpm (ci|install)\b/.test(instruction.args))).toBe(false);
  });

  it("runs as a user other than root, node as PID 1 in exec form with npm start's arguments, stopped by SIGTERM", () => {
    const users = final.filter((instruction) => instruction.op === "USER").map((instruction) => instruction.args);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0", "0:0"]).not.toContain(users.at(-1));
    const cmd = final.filter((instruction) => instruction.op === "CMD");
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]?.args ?? "")).toEqual(["node", ...startArgs]);
    for (const entrypoint of final.filter((instruction) => instruction.op === "ENTRYPOINT")) expect(execForm(entrypoint.args)).toBeDefined();
    expect(final.findIndex((instruction) => instruction.op === "USER")).toBeLessThan(final.findIndex((instruction) => instruction.op === "CMD"));
    expect(final.find((instruction) => instruction.op === "STOPSIGNAL")?.args).toBe("SIGTERM");
  });

  it("keeps the store in a /data volume, writable by that user, and probes /health on the port it exposes", () => {
    const env = envOf(instructions, last);
    const volumes = final.filter((instruction) => instruction.op === "VOLUME").flatMap((instruction) => execForm(instruction.args) ?? instruction.args.split(/\s+/));
    expect(volumes).toContain("/data");
    expect(posix.dirname(env.get("DATABASE_PATH") ?? "")).toBe("/data");
    expect((env.get("JSON_STORE_DIR") ?? "").startsWith("/data/")).toBe(true);
    expect(final.some((instruction) => instruction.op === "RUN" && /chown\s+(\S+\s+)?node(:node)?\s+\/data/.test(instruction.args))).toBe(true);
    expect(final.find((instruction) => instruction.op === "USER")?.args).toBe("node");
    const healthcheck = final.find((instruction) => instruction.op === "HEALTHCHECK")?.args ?? "";
    const probe = execForm(healthcheck.slice(healthcheck.indexOf("CMD") + 3).trim());
    expect(probe).toEqual(["node", "adapters/healthProbe.ts"]);
    expect(healthcheck).toMatch(/--timeout=\d+s/);
    expect(env.get("HEALTH_PORT")).toBeDefined();
    expect(final.find((instruction) => instruction.op === "EXPOSE")?.args.split(/\s+/)).toContain(env.get("HEALTH_PORT"));
  });

  it("copies every file npm start, its probe, rebuild, backup and restore load, and no secret, data or test", () => {
    const copied = final
      .filter((instruction) => instruction.op === "COPY" && !instruction.args.includes("--from="))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1))
      .map((source) => source.replace(/\/$/, ""));
    for (const source of copied) expect(existsSync(join(root, source)), source).toBe(true);
    const inImage = (file: string): boolean => copied.some((source) => file === source || file.startsWith(`${source}/`)) && !ignored(file, dockerignore);
    const needed = [...localFilesFrom(imageEntries)];
    expect(needed.length).toBeGreaterThan(100);
    expect(needed.filter((file) => !inImage(file))).toEqual([]);
    for (const kept of ["adapters/catalog/sampleCatalog.json", "adapters/charts/fonts/Roboto-Regular.ttf", "adapters/telegram/shop/locales", "package-lock.json"]) expect(inImage(kept), kept).toBe(true);
    for (const left of [".env", ".git/config", "node_modules/grammy/package.json", "data/crm.sqlite", "adapters/health.test.ts", "adapters/x/y.sqlite-wal", "bench/run.ts"]) expect(ignored(left, dockerignore), left).toBe(true);
    expect(ignored(".env.example", dockerignore)).toBe(false);
  });
});

/** A small YAML subset, enough for compose.yaml: maps, lists of scalars or maps, flow lists as JSON, comments. */
function parseYaml(text: string): unknown {
  const lines = text
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").replace(/^\s*#.*$/, ""))
    .filter((line) => line.trim() !== "")
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  const scalar = (value: string): unknown => {
    if (value.startsWith("[")) return JSON.parse(value) as unknown;
    if (/^".*"$/.test(value)) return JSON.parse(value) as unknown;
    if (value === "true" || value === "false") return value === "true";
    return value;
  };
  let at = 0;
  function block(indent: number): unknown {
    const first = lines[at];
    if (!first || first.indent < indent) return null;
    if (first.text.startsWith("- ")) {
      const list: unknown[] = [];
      while (lines[at] && lines[at]?.indent === indent && lines[at]?.text.startsWith("- ")) list.push(scalar((lines[at++]?.text ?? "").slice(2).trim()));
      return list;
    }
    const map: Record<string, unknown> = {};
    while (lines[at] && lines[at]?.indent === indent) {
      const line = lines[at++]?.text ?? "";
      const colon = line.indexOf(":");
      const key = line.slice(0, colon).trim();
      const rest = line.slice(colon + 1).trim();
      const next = lines[at]?.indent ?? indent;
      map[key] = rest !== "" ? scalar(rest) : next > indent ? block(next) : null;
    }
    return map;
  }
  return block(0);
}

const seconds = (duration: unknown): number => {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(duration));
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : Number.NaN;
};

describe("compose.yaml", () => {
  type Service = Record<string, unknown> & { readonly environment: Record<string, string> };
  const compose = parseYaml(read("compose.yaml")) as { readonly services: Record<string, Service>; readonly volumes: Record<string, unknown> };
  const env = envOf(dockerfile(), Math.max(...dockerfile().map((instruction) => instruction.stage)));

  it("runs the bot from this Dockerfile on SQLite in a named volume, read-only but for /data and /tmp, after PostgreSQL is healthy", () => {
    const bot = compose.services["bot"];
    expect(bot).toMatchObject({ build: ".", env_file: ".env", read_only: true, depends_on: { db: { condition: "service_healthy" } } });
    expect(bot?.["volumes"]).toContain("data:/data");
    expect(bot?.["tmpfs"]).toContain("/tmp");
    expect(bot?.environment["DATABASE_PATH"]).toBe(env.get("DATABASE_PATH"));
    expect(bot?.environment["STORE"]).toBeUndefined();
    expect(bot?.["ports"]).toEqual([`127.0.0.1:${bot?.environment["HEALTH_PORT"]}:${env.get("HEALTH_PORT")}`]);
    // npm start's stop waits up to 15 s for updates in flight and 10 s for the Sheets mirror.
    expect(seconds(bot?.["stop_grace_period"])).toBeGreaterThanOrEqual(30);
    expect(bot?.["stop_signal"]).toBe("SIGTERM");
  });

  it("runs PostgreSQL 18 with a health check, a volume at its data root, and no default password", () => {
    const db = compose.services["db"];
    expect(db?.["image"]).toBe("postgres:18");
    expect((db?.["healthcheck"] as { test: string[] }).test.join(" ")).toContain("pg_isready");
    expect(db?.["volumes"]).toContain("pgdata:/var/lib/postgresql");
    expect(db?.environment["POSTGRES_PASSWORD"]).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(Object.keys(compose.volumes).sort()).toEqual(["data", "pgdata"]);
  });
});

describe("docs/deploy/compose.postgres.yaml and nginx.conf (several processes)", () => {
  type Service = Record<string, unknown> & { readonly environment?: Record<string, string> };
  const override = parseYaml(read("docs/deploy/compose.postgres.yaml")) as { readonly services: Record<string, Service> };
  const base = parseYaml(read("compose.yaml")) as { readonly services: Record<string, Service> };
  const nginx = read("docs/deploy/nginx.conf");

  it("runs the bots on compose.yaml's PostgreSQL with its password from .env, and publishes only the proxy", () => {
    const bot = override.services["bot"];
    expect(bot?.environment?.["STORE"]).toBe("postgres");
    const url = bot?.environment?.["DATABASE_URL"] ?? "";
    expect(url).toMatch(/^postgres:\/\/shop:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432\/shop$/);
    expect(base.services["db"]?.environment?.["POSTGRES_USER"]).toBe("shop");
    expect(base.services["db"]?.environment?.["POSTGRES_DB"]).toBe("shop");
    // Replicas cannot each publish the same host port: the override resets the base's.
    expect(bot?.["ports"]).toBe("!reset []");
    expect(override.services["proxy"]?.["ports"]).toEqual(base.services["bot"]?.["ports"]);
    expect(override.services["proxy"]?.["volumes"]).toEqual(["./docs/deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]);
  });

  it("forwards the webhook's path without its prefix to any replica, trying the next when one dies, and /health", () => {
    expect(nginx).toMatch(/upstream shop_crm \{\s*server bot:8080;\s*\}/);
    expect(nginx).toMatch(/location \/tg\/ \{\s*proxy_pass http:\/\/shop_crm\/;/);
    expect(nginx).toMatch(/proxy_next_upstream error timeout http_502 http_503 non_idempotent;/);
    expect(nginx).toMatch(/location = \/health \{\s*proxy_pass http:\/\/shop_crm\/health;/);
    expect(nginx).toContain(`listen ${String(base.services["bot"]?.environment?.["PORT"])};`);
  });
});

/** The unit file's keys by section; a key given twice keeps every value. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current = new Map<string, string[]>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] ?? "", current);
      continue;
    }
    const equals = line.indexOf("=");
    const key = line.slice(0, equals);
    current.set(key, [...(current.get(key) ?? []), line.slice(equals + 1)]);
  }
  return sections;
}

describe("docs/deploy/shop-crm.service (one server, SQLite, systemd)", () => {
  const unitText = read("docs/deploy/shop-crm.service");
  const unit = parseUnit(unitText);
  const service = unit.get("Service") ?? new Map<string, string[]>();
  const one = (key: string): string => {
    const values = service.get(key) ?? [];
    expect(values, key).toHaveLength(1);
    return values[0] ?? "";
  };
  const environment = new Map((service.get("Environment") ?? []).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));

  it("runs npm start's command as an unprivileged user from the clone, with .env, restarted on failure, stopped by SIGTERM with time to finish", () => {
    expect(one("User")).not.toMatch(/^(root|0)$/);
    const workingDirectory = one("WorkingDirectory");
    expect(posix.isAbsolute(workingDirectory)).toBe(true);
    expect(one("EnvironmentFile").replace(/^-/, "")).toBe(posix.join(workingDirectory, ".env"));
    expect(one("ExecStart").split(/\s+/)).toEqual(["/usr/bin/node", ...startArgs]);
    expect(one("Restart")).toBe("on-failure");
    expect(one("KillSignal")).toBe("SIGTERM");
    expect(Number(one("TimeoutStopSec"))).toBeGreaterThanOrEqual(30);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
  });

  it("is hardened: a read-only system but for the store's folder, a private /tmp, no new privileges", () => {
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("NoNewPrivileges")).toBe("true");
    expect(one("PrivateTmp")).toBe("true");
    const writable = one("ReadWritePaths").split(/\s+/);
    const stateDirectory = posix.join("/var/lib", one("StateDirectory"));
    for (const path of [posix.dirname(environment.get("DATABASE_PATH") ?? ""), environment.get("JSON_STORE_DIR") ?? ""]) {
      expect(posix.isAbsolute(path), path).toBe(true);
      expect(writable.some((folder) => path === folder || path.startsWith(`${folder}/`)), path).toBe(true);
      expect(path === stateDirectory || path.startsWith(`${stateDirectory}/`), path).toBe(true);
    }
    expect(environment.get("HEALTH_PORT")).toMatch(/^\d+$/);
  });

  it.skipIf(spawnSync("systemd-analyze", ["--version"]).status !== 0)("passes systemd-analyze verify without a warning [skipped where systemd-analyze is missing]", () => {
    const dir = mkdtempSync(join(tmpdir(), "unit-"));
    try {
      copyFileSync(join(root, "docs/deploy/shop-crm.service"), join(dir, "shop-crm.service"));
      const verified = spawnSync("systemd-analyze", ["verify", join(dir, "shop-crm.service")], { encoding: "utf8" });
      // Only the file's own lines: a host without the user or the clone says so about the host, not the file.
      const aboutTheFile = verified.stderr.split("\n").filter((line) => line.includes("shop-crm.service:"));
      expect(aboutTheFile).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(unitText).toContain("[Service]");
  });
});
