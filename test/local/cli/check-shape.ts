/**
 * `npm run check:shape` (part of `npm test`): the codebase keeps its shape. Fails on
 * - any import .dependency-cruiser.cjs forbids (src/ importing test/, a module cycle, an import against the layers,
 *   drizzle outside src/storage/d1), found by dependency-cruiser;
 * - raw D1 use outside src/storage/d1 (`.prepare(`, `.batch(`, `.exec(` on a database, or the `D1Database` type),
 *   which no import rule can see because the binding is a global type;
 * and prints the import graph in numbers (modules and files per folder, arrows between folders, cycles, arrows
 * against the layers) so a change in shape shows up in review.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const CruiseSchema = z.object({
  modules: z.array(
    z.object({
      source: z.string(),
      dependencies: z.array(z.object({ resolved: z.string(), circular: z.boolean().optional() })),
    }),
  ),
  summary: z.object({
    violations: z.array(z.object({ rule: z.object({ name: z.string() }), from: z.string(), to: z.string() })),
  }),
});

/** The D1 binding's own surface: only src/storage/d1 (and the binding wrapper it names) may touch it. */
const RAW_D1 = /\bD1Database\b|\b(?:db|DB|d1|\$client)\s*\.\s*(?:prepare|batch|exec)\s*\(/;
const D1_HOME = "src/storage/d1/";
const COMMENT = /^\s*(\*|\/\/|\/\*)/;

function cruise(): z.infer<typeof CruiseSchema> {
  const json = execFileSync(
    "npx",
    ["depcruise", "src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"],
    // depcruise exits non-zero when it finds violations; the JSON on stdout says which.
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] },
  );
  return CruiseSchema.parse(JSON.parse(json));
}

function runCruise(): z.infer<typeof CruiseSchema> {
  try {
    return cruise();
  } catch (error) {
    const failed = z.object({ stdout: z.string().startsWith("{") }).safeParse(error);
    if (failed.success) return CruiseSchema.parse(JSON.parse(failed.data.stdout));
    throw error;
  }
}

/** The parts of src/ nested in a folder with a rank of their own in LAYERS (none today; a folder listed as "a/b" in LAYERS would be). */
const NESTED_PARTS = [
  ...readFileSync(".dependency-cruiser.cjs", "utf8").matchAll(/^\s*"([a-z-]+\/[a-z-]+)",$/gm),
]
  .map((match) => match[1])
  .filter((name) => name !== undefined);

const folderOf = (file: string): string => {
  const nested = NESTED_PARTS.find((name) => file.startsWith(`src/${name}/`));
  if (nested !== undefined) return `${nested}/`;
  const parts = file.split("/");
  return parts.length > 2 ? `${parts[1]}/` : (parts[1] ?? file);
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function rawD1Outside(): string[] {
  return sourceFiles("src")
    .filter((file) => !file.startsWith(D1_HOME))
    .flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, index) =>
          RAW_D1.test(line) && !COMMENT.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [],
        ),
    );
}

const result = runCruise();
const production = result.modules.filter(
  (module) => module.source.startsWith("src/") && !module.source.endsWith(".d.ts"),
);
const filesPerFolder = new Map<string, number>();
const folderArrows = new Map<string, number>();
let cycles = 0;
for (const module of production) {
  const from = folderOf(module.source);
  filesPerFolder.set(from, (filesPerFolder.get(from) ?? 0) + 1);
  for (const dependency of module.dependencies) {
    if (dependency.circular === true) cycles++;
    if (!dependency.resolved.startsWith("src/")) continue;
    const to = folderOf(dependency.resolved);
    if (to !== from) folderArrows.set(`${from} -> ${to}`, (folderArrows.get(`${from} -> ${to}`) ?? 0) + 1);
  }
}
/** Folders that reach each other through their arrows (strongly connected groups of more than one folder). */
function folderLoops(arrows: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const arrow of arrows) {
    const [from = "", to = ""] = arrow.split(" -> ");
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const reach = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
      for (const to of next.get(folder) ?? []) {
        if (seen.has(to)) continue;
        seen.add(to);
        stack.push(to);
      }
    }
    return seen;
  };
  const reachable = new Map([...next.keys()].map((folder) => [folder, reach(folder)]));
  const groups = new Map<string, string[]>();
  for (const [folder, seen] of reachable) {
    const group = [...seen].filter((other) => reachable.get(other)?.has(folder)).sort();
    if (group.length > 1) groups.set(group.join(","), group);
  }
  return [...groups.values()];
}

const loops = folderLoops(folderArrows.keys());
const layerViolations = result.summary.violations.filter((violation) =>
  violation.rule.name.startsWith("layer-"),
);
const otherViolations = result.summary.violations.filter(
  (violation) => !violation.rule.name.startsWith("layer-"),
);
const rawD1 = rawD1Outside();

console.log(
  `src: ${production.length} modules in ${filesPerFolder.size} folders/files; ` +
    `${folderArrows.size} arrows between folders; ${loops.length} folder loops` +
    `${loops.length > 0 ? ` (${loops.map((group) => group.join(" <-> ")).join("; ")})` : ""}; ` +
    `${cycles} cyclic imports; ` +
    `${layerViolations.length} imports against the layers; ${rawD1.length} raw D1 uses outside ${D1_HOME}`,
);
console.log(
  `files per folder: ${[...filesPerFolder.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([folder, count]) => `${folder} ${count}`)
    .join(", ")}`,
);
const problems = [
  ...result.summary.violations.map(
    (violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`,
  ),
  ...rawD1.map((line) => `raw D1 outside ${D1_HOME}: ${line}`),
];
if (otherViolations.length + layerViolations.length + rawD1.length > 0) {
  console.error(`\n${problems.join("\n")}\n\ncheck:shape failed: ${problems.length} problem(s) above.`);
  process.exit(1);
}
