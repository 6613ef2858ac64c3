/**
 * drizzle-kit's configuration, so plain `npx drizzle-kit generate` (and `npm run db:generate -- --name <topic>`)
 * writes migrations from the D1 schema into migrations/, which wrangler applies (wrangler.toml migrations_dir).
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/storage/d1/schema.ts",
  out: "./migrations",
});
