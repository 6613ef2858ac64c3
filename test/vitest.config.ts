import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { kCurrentWorker } from "miniflare";
import { defineConfig } from "vitest/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const CANVAS_TOKEN = "test-canvas-token-0123456789";
const API_TOKEN = "test-api-token-0123456789";
// wrangler.toml's env.local declares these two as required secrets and looks for them in .dev.vars or the
// environment while reading the config; the test values are bound below anyway, this only keeps wrangler quiet.
process.env["CANVAS_TOKEN"] = CANVAS_TOKEN;
process.env["API_TOKEN"] = API_TOKEN;

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml"), environment: "local" },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            CANVAS_BASE_URL: "https://canvas.test",
            CANVAS_TOKEN,
            API_TOKEN,
            CANVAS_FILE_HOSTS: "files.canvas-storage.test",
            // Fail any call past the production per-invocation limits, as Cloudflare does (local workerd does not).
            EMULATE_PLATFORM_LIMITS: "true",
            BENCH_SIZES: process.env["BENCH_SIZES"] ?? "1000,10000",
            BENCH_STREAM_BYTES: process.env["BENCH_STREAM_BYTES"] ?? String(1024 * 1024 * 1024),
            // Background work that stepped aside for a sync comes back within a second, so a test file does not
            // end with it still waiting in the queue.
            BACKGROUND_YIELD_SECONDS: "1",
          },
          // wrangler.toml binds VECTORS to this worker's own LocalVectorize entrypoint; inside the
          // test pool the worker is the runner, so point the binding at the current worker.
          serviceBindings: { VECTORS: { name: kCurrentWorker, entrypoint: "LocalVectorize" } },
          compatibilityFlags: ["service_binding_extra_handlers"],
          queueConsumers: {
            "canvas-sync-jobs": { maxBatchTimeout: 0.05, maxRetries: 8, deadLetterQueue: "canvas-sync-dlq" },
          },
        },
      }),
    ],
    test: {
      // `npm run bench` sets CANVAS_SYNC_BENCH to run the benchmark files instead of the tests.
      include: process.env["CANVAS_SYNC_BENCH"] ? ["test/local/bench/**/*.bench.ts"] : ["test/**/*.test.ts"],
      fileParallelism: !process.env["CANVAS_SYNC_BENCH"],
      setupFiles: ["test/support/apply-migrations.ts"],
      testTimeout: process.env["CANVAS_SYNC_BENCH"] ? 3_600_000 : 180_000,
      hookTimeout: 120_000,
    },
  };
});
