declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    BENCH_SIZES?: string;
    BENCH_STREAM_BYTES?: string;
  }
}
