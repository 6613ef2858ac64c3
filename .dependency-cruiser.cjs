/**
 * The import rules `npm test` enforces (npm run check:shape). The Worker's code in src/ is layered, lowest first;
 * a module may import its own part and any part below it, never one above. Each part has its own rank, so a loop
 * between folders is impossible too. Pure core first, then the ports both sides implement or use, the adapters to
 * the outside (Canvas, D1/R2, Durable Objects), the pipeline, the HTTP surfaces, and the wiring at the top.
 */
const LAYERS = [
  // pure core: no I/O, no bindings
  "shared",
  "resilience",
  // the interfaces the pipeline talks through, implemented by adapters or stand-ins
  "ports",
  // Canvas's wire shapes (zod) and its one HTTP client; everything above reads Canvas through them
  "canvas",
  "detect",
  "extract",
  "env.ts",
  // adapters
  "storage",
  "durable",
  "observability",
  "search",
  // the pipeline: near-duplicate passes, a sync, the adapters wired for a sync (deps.ts), the entry handlers
  "dedup",
  "sync",
  "deps.ts",
  "events",
  "queue",
  "cron",
  // HTTP surfaces: what they share, then each surface; api/app.ts assembles them
  "http",
  "mcp",
  "dashboard",
  "api",
  // the Worker's entry: wires bindings to handlers
  "index.ts",
];

const part = (name) => (name.endsWith(".ts") ? `src/${name.replace(".", "\\.")}$` : `src/${name}/`);
const above = (index) => LAYERS.slice(index + 1).map((name) => `^${part(name)}`);
/** A folder's own files, without nested parts listed with a rank of their own ("a/b" inside "a"; none today). */
const nested = (name) =>
  LAYERS.filter((other) => other.startsWith(`${name}/`)).map((other) => `^${part(other)}`);

module.exports = {
  forbidden: [
    {
      name: "no-local-code-in-production",
      comment: "src/ ships; test/ (simulator, CLI, stand-ins, benchmarks, tests) never does",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
    {
      name: "no-circular",
      comment: "a cycle between modules means neither can be read (or tested) alone",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-unknown-part",
      comment: "every folder and top-level file of src/ has a place in LAYERS (.dependency-cruiser.cjs)",
      severity: "error",
      from: { path: "^src/", pathNot: `^(${LAYERS.map(part).join("|")}|src/.*\\.d\\.ts$)` },
      to: {},
    },
    {
      name: "d1-only-in-storage",
      comment: "every D1 query lives in src/storage/d1 (one module per table or aggregate)",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/storage/d1/" },
      to: { path: "drizzle-orm" },
    },
    ...LAYERS.slice(0, -1).map((name, index) => ({
      name: `layer-${name.replace(".ts", "")}`,
      comment: `${name} may import only parts below it in LAYERS`,
      severity: "error",
      from: { path: `^${part(name)}`, pathNot: nested(name) },
      to: { path: above(index) },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js"] },
  },
};
