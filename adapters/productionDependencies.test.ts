import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  readonly scripts: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  readonly packages: Record<string, { readonly dependencies?: Record<string, string>; readonly devDependencies?: Record<string, string>; readonly dev?: boolean }>;
};

/** Comments out, so that an import inside a comment or a TSDoc example is not taken for one. */
const withoutComments = (source: string): string => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");

/**
 * The specifiers a module loads when it runs: static imports and re-exports (`import type` and
 * `export type` are erased by type stripping, so they load nothing) and literal dynamic imports.
 */
function runtimeSpecifiers(source: string): string[] {
  const code = withoutComments(source);
  const statics = [...code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s+(type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?["']([^"']+)["']/g)].filter((match) => !match[1]).map((match) => match[2] ?? "");
  const dynamics = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1] ?? "");
  return [...statics, ...dynamics];
}

const packageOf = (specifier: string): string => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
const isBuiltin = (specifier: string): boolean => specifier.startsWith("node:") || builtinModules.includes(specifier);

/** Every npm package the module graph from `entry` loads at run time, with the first file that imports each. */
function packagesReachedFrom(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier);
        if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${specifier}, which does not exist`);
        queue.push(target);
      } else if (!isBuiltin(specifier) && !packages.has(packageOf(specifier))) {
        packages.set(packageOf(specifier), relative(root, file));
      }
    }
  }
  return packages;
}

/** The file a `node <file> …` script runs. */
function entryOf(script: string): string {
  const entry = packageJson.scripts[script]?.split(/\s+/).find((word) => word.endsWith(".ts"));
  if (!entry) throw new Error(`npm run ${script} runs no .ts file`);
  return entry;
}

describe("production dependencies", () => {
  it("npm start loads only packages in dependencies, and every one of them is loaded by it", () => {
    const reached = packagesReachedFrom(entryOf("start"));
    const outsideDependencies = [...reached].filter(([name]) => !(name in packageJson.dependencies)).map(([name, from]) => `${name} (imported by ${from})`);
    expect(outsideDependencies).toEqual([]);
    // A package in dependencies that npm start never loads is a developer tool in the production install.
    expect(Object.keys(packageJson.dependencies).filter((name) => !reached.has(name))).toEqual([]);
  });

  it("keeps the Stately inspector, and what it pulls in, out of a production install", () => {
    expect(Object.keys(packageJson.dependencies)).not.toContain("@statelyai/inspect");
    expect(packageJson.devDependencies).toHaveProperty("@statelyai/inspect");
    // The lock file agrees, so `npm ci --omit=dev` leaves these out.
    expect(lock.packages[""]?.dependencies).toEqual(packageJson.dependencies);
    expect(lock.packages[""]?.devDependencies).toEqual(packageJson.devDependencies);
    for (const name of ["@statelyai/inspect", "superjson", "partysocket"]) expect(lock.packages[`node_modules/${name}`]?.dev, name).toBe(true);
  });

  it("sees a devDependency when an entry does load one: npm run inspect does", () => {
    expect(packagesReachedFrom(entryOf("inspect")).get("@statelyai/inspect")).toBeDefined();
  });

  it("reads the imports a module runs, and not those erased or commented out", () => {
    const source = [
      'import { a } from "./a.ts";',
      'import type { B } from "@scope/types-only";',
      "import {",
      "  c,",
      "  type D,",
      '} from "multi-line";',
      'export { e } from "./e.ts";',
      'export type { F } from "./f.ts";',
      'import "side-effect";',
      '// import { g } from "commented";',
      '/** @example import { h } from "in-doc"; */',
      'const later = await import("dynamic/sub");',
    ].join("\n");
    expect(runtimeSpecifiers(source)).toEqual(["./a.ts", "multi-line", "./e.ts", "side-effect", "dynamic/sub"]);
  });
});
