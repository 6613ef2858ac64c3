/** Canvas file download: manual redirects, host allow-list, and the token only ever sent to Canvas. */
import { describe, expect, it } from "vitest";
import {
  DownloadHttpError,
  downloadCanvasFile,
  isHostAllowed,
  RedirectRefusedError,
} from "../../../src/storage/r2/download";

const TOKEN = "secret-canvas-token-abc123";
const CANVAS = "https://school.instructure.com";

interface Seen {
  url: string;
  authorization: string | null;
  redirect: RequestInit["redirect"];
}

/** A fake fetch answering from a table of URL -> response factory, recording what each request carried. */
function fakeFetch(routes: Record<string, () => Response>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    seen.push({
      url,
      authorization: new Headers(init?.headers).get("authorization"),
      redirect: init?.redirect,
    });
    const route = routes[url];
    return route === undefined ? new Response("no route", { status: 599 }) : route();
  };
  return { fetch: fetchImpl, seen };
}

const redirect =
  (location: string, status = 302) =>
  (): Response =>
    new Response(null, { status, headers: { location } });

function options(f: typeof fetch, extra: Partial<Parameters<typeof downloadCanvasFile>[1]> = {}) {
  return {
    canvasOrigin: CANVAS,
    token: TOKEN,
    allowedHosts: ["*.cloudfront.net", "files.storage.test:8443"],
    fetch: f,
    timeoutMs: 5000,
    ...extra,
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("downloadCanvasFile", () => {
  it("follows Canvas's 302 to an allowed storage host without forwarding the token", async () => {
    const storage = "https://d1abc.cloudfront.net/files/1/blob?Signature=s3cr3t&Expires=9";
    const { fetch, seen } = fakeFetch({
      [`${CANVAS}/files/1/download?download_frd=1`]: redirect(storage),
      [storage]: () => new Response("file-bytes", { headers: { "content-length": "10" } }),
    });
    const response = await downloadCanvasFile(`${CANVAS}/files/1/download?download_frd=1`, options(fetch));
    expect(await response.text()).toBe("file-bytes");
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${TOKEN}`, null]);
    expect(seen.every((s) => s.redirect === "manual")).toBe(true);
  });

  it("resolves a relative file URL and a relative Location; same-origin hops keep the token", async () => {
    const { fetch, seen } = fakeFetch({
      [`${CANVAS}/files/2/download`]: redirect("/files/2/download?verifier=v"),
      [`${CANVAS}/files/2/download?verifier=v`]: redirect("https://files.storage.test:8443/b/2", 307),
      "https://files.storage.test:8443/b/2": () => new Response("ok"),
    });
    const response = await downloadCanvasFile("/files/2/download", options(fetch));
    expect(await response.text()).toBe("ok");
    expect(seen.map((s) => [s.url, s.authorization])).toEqual([
      [`${CANVAS}/files/2/download`, `Bearer ${TOKEN}`],
      [`${CANVAS}/files/2/download?verifier=v`, `Bearer ${TOKEN}`],
      ["https://files.storage.test:8443/b/2", null],
    ]);
  });

  it("refuses a redirect to a host off the allow-list, without the query string or token in the message", async () => {
    const evil = "https://attacker.example/steal?token=abc&x=1";
    const { fetch, seen } = fakeFetch({ [`${CANVAS}/files/3/download`]: redirect(evil) });
    const error = await caught(downloadCanvasFile(`${CANVAS}/files/3/download`, options(fetch)));
    expect(error).toBeInstanceOf(RedirectRefusedError);
    expect(error).toMatchObject({ refusal: "host_not_allowed", host: "attacker.example", kind: "content" });
    const message = error instanceof Error ? error.message : "";
    expect(message).toContain("attacker.example");
    expect(message).not.toMatch(/steal|token|abc|\?/);
    expect(message).not.toContain(TOKEN);
    expect(seen).toHaveLength(1);
  });

  it("refuses a file URL that does not point at Canvas or an allowed host, before any request", async () => {
    const { fetch, seen } = fakeFetch({});
    const error = await caught(downloadCanvasFile("https://elsewhere.test/files/1", options(fetch)));
    expect(error).toMatchObject({ refusal: "host_not_allowed" });
    expect(seen).toHaveLength(0);
  });

  it("refuses a downgrade to http and a lookalike of a wildcard pattern", async () => {
    const { fetch } = fakeFetch({
      [`${CANVAS}/a`]: redirect("http://d1abc.cloudfront.net/x"),
      [`${CANVAS}/b`]: redirect("https://evilcloudfront.net/x"),
    });
    expect(await caught(downloadCanvasFile(`${CANVAS}/a`, options(fetch)))).toMatchObject({
      refusal: "insecure_scheme",
    });
    expect(await caught(downloadCanvasFile(`${CANVAS}/b`, options(fetch)))).toMatchObject({
      refusal: "host_not_allowed",
    });
  });

  it("stops after maxRedirects and on a redirect without Location", async () => {
    const { fetch } = fakeFetch({
      [`${CANVAS}/loop`]: redirect(`${CANVAS}/loop`),
      [`${CANVAS}/nowhere`]: () => new Response(null, { status: 302 }),
    });
    expect(
      await caught(downloadCanvasFile(`${CANVAS}/loop`, options(fetch, { maxRedirects: 3 }))),
    ).toMatchObject({
      refusal: "too_many_redirects",
    });
    expect(await caught(downloadCanvasFile(`${CANVAS}/nowhere`, options(fetch)))).toMatchObject({
      refusal: "missing_location",
    });
  });

  it("turns non-2xx answers into DownloadHttpError with status and a retry kind", async () => {
    const storage = "https://d1abc.cloudfront.net/expired?Signature=zzz";
    const { fetch } = fakeFetch({
      [`${CANVAS}/files/404`]: () => new Response('{"errors":[{"message":"not found"}]}', { status: 404 }),
      [`${CANVAS}/files/429`]: () => new Response("", { status: 429, headers: { "retry-after": "7" } }),
      [`${CANVAS}/files/s`]: redirect(storage),
      [storage]: () => new Response("AccessDenied", { status: 403 }),
    });
    expect(await caught(downloadCanvasFile(`${CANVAS}/files/404`, options(fetch)))).toMatchObject({
      status: 404,
      kind: "not_found",
      fromCanvas: true,
    });
    expect(await caught(downloadCanvasFile(`${CANVAS}/files/429`, options(fetch)))).toMatchObject({
      status: 429,
      kind: "rate_limited",
      retryAfterMs: 7000,
    });
    const fromStorage = await caught(downloadCanvasFile(`${CANVAS}/files/s`, options(fetch)));
    expect(fromStorage).toBeInstanceOf(DownloadHttpError);
    expect(fromStorage).toMatchObject({
      status: 403,
      fromCanvas: false,
      url: "https://d1abc.cloudfront.net/expired",
    });
    expect(fromStorage instanceof Error ? fromStorage.message : "").not.toContain("Signature");
  });

  it("times out a hop that does not answer", async () => {
    const hanging = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      })) as typeof fetch;
    expect(
      await caught(downloadCanvasFile(`${CANVAS}/slow`, options(hanging, { timeoutMs: 20 }))),
    ).toMatchObject({ kind: "timeout" });
  });
});

describe("isHostAllowed", () => {
  const canvas = new URL(CANVAS);
  it("matches exact hosts, host:port and wildcard subdomains only", () => {
    const allowed = ["*.instructure.com", "cdn.example.org", "127.0.0.1:8791"];
    expect(isHostAllowed(new URL("https://school.instructure.com/x"), canvas, [])).toBe(true);
    expect(isHostAllowed(new URL("https://a.b.instructure.com/x"), canvas, allowed)).toBe(true);
    expect(isHostAllowed(new URL("https://instructure.com/x"), canvas, allowed)).toBe(false);
    expect(isHostAllowed(new URL("https://notinstructure.com/x"), canvas, allowed)).toBe(false);
    expect(isHostAllowed(new URL("https://CDN.example.org/x"), canvas, allowed)).toBe(true);
    expect(isHostAllowed(new URL("http://127.0.0.1:8791/x"), canvas, allowed)).toBe(true);
    expect(isHostAllowed(new URL("http://127.0.0.1:8792/x"), canvas, allowed)).toBe(false);
  });
});
