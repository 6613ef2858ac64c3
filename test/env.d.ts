declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    CANVAS_TOKEN: string;
    API_TOKEN: string;
  }
}
