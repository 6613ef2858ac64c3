/**
 * Serves the Canvas simulator over real HTTP for `npm start` and the benchmark: the API origin and the storage
 * origin on two 127.0.0.1 ports (node:http), adapting IncomingMessage to a web Request and streaming the
 * Response body back chunk by chunk with backpressure (a 1 GB file never sits in memory). Network-level faults
 * become real socket behaviour: a simulated reset destroys the socket, and a body that disagrees with its
 * Content-Length is cut or ends early exactly as a broken server would.
 *
 *   tsx test/local/cli/simulator-server.ts --port 8790 --storage-port 8791 [--seed N] [--institution demo|empty|ID:ITEMS[:NEW_QUIZZES],...]
 *       [--token T]... [--no-throttle] [--header-fraction F]   (F: share of responses with throttle headers)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import {
  createCanvasSimulator,
  type CanvasSimulator,
  type IncrementalHash,
  type SimulatorOptions,
} from "../simulator/index";

export interface SimulatorServerOptions extends Partial<
  Omit<SimulatorOptions, "apiOrigin" | "storageOrigin">
> {
  /** API port (0 = any free port). Default 8790. */
  port?: number;
  /** Storage port (0 = any free port). Default 8791. */
  storagePort?: number;
  host?: string;
}

export interface SimulatorServer {
  apiOrigin: string;
  storageOrigin: string;
  simulator: CanvasSimulator;
  close(): Promise<void>;
}

const SKIPPED_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
]);

async function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SKIPPED_REQUEST_HEADERS.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? "GET";
  let body: Uint8Array<ArrayBuffer> | null = null;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const joined = Buffer.concat(chunks);
    body = new Uint8Array(joined.byteLength);
    body.set(joined);
  }
  // redirect: manual, so the 302 to the storage origin reaches the client instead of being followed here.
  return new Request(`${origin}${req.url ?? "/"}`, { method, headers, body, signal, redirect: "manual" });
}

/** Streams `response` into `res`, honouring (and, like a broken server, enforcing) its Content-Length. */
async function sendResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const declared = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let sent = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      // More bytes than declared: a client stops at Content-Length, so the rest is simply never seen.
      if (declared !== null && sent + chunk.length > declared)
        chunk = chunk.subarray(0, Math.max(0, declared - sent));
      if (chunk.length > 0 && !res.write(chunk)) await once(res, "drain");
      sent += chunk.length;
      if (declared !== null && sent >= declared) break;
      if (res.destroyed) return;
    }
  } catch {
    // The body stream failed mid-way (simulated connection loss): drop the connection.
    res.destroy();
    return;
  } finally {
    reader.releaseLock();
  }
  if (declared !== null && sent < declared) res.destroy();
  else res.end();
}

function handler(simulator: CanvasSimulator, origin: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const aborter = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    void (async () => {
      try {
        const request = await toRequest(req, origin, aborter.signal);
        const response = await simulator.fetch(request, { signal: aborter.signal });
        await sendResponse(response, res);
      } catch (error) {
        // A TypeError is a simulated network failure; an abort means the client went away. Either way: no answer.
        if (error instanceof TypeError || aborter.signal.aborted) {
          req.socket.destroy();
          return;
        }
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("simulator error\n");
        console.error("[simulator]", error);
      }
    })();
  };
}

/** node:crypto's SHA-256 for truth() of huge generated files (about ten times the simulator's JS fallback). */
function sha256(): IncrementalHash {
  const hash = createHash("sha256");
  return {
    update: (bytes) => {
      hash.update(bytes);
    },
    digestHex: () => hash.digest("hex"),
  };
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return address.port;
}

export async function startSimulatorServer(opts: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const { port = 8790, storagePort = 8791, host = "127.0.0.1", ...simOptions } = opts;
  const apiServer = createServer();
  const storageServer = createServer();
  const apiPort = await listen(apiServer, port, host);
  const filesPort = await listen(storageServer, storagePort, host);
  const apiOrigin = `http://${host}:${apiPort}`;
  const storageOrigin = `http://${host}:${filesPort}`;
  const simulator = createCanvasSimulator({ sha256, ...simOptions, apiOrigin, storageOrigin });
  apiServer.on("request", handler(simulator, apiOrigin));
  storageServer.on("request", handler(simulator, storageOrigin));
  return {
    apiOrigin,
    storageOrigin,
    simulator,
    async close() {
      for (const server of [apiServer, storageServer]) {
        server.closeAllConnections();
        server.close();
      }
      await Promise.all([once(apiServer, "close"), once(storageServer, "close")]);
    },
  };
}

function parseInstitution(value: string): SimulatorOptions["institution"] {
  if (value === "demo" || value === "empty") return value;
  const courses = value.split(",").map((part) => {
    const [id, items, newQuizzes = 0] = part.split(":").map(Number);
    const valid = [id, items, newQuizzes].every((n) => n !== undefined && Number.isInteger(n));
    if (id === undefined || items === undefined || !valid) {
      throw new Error(`--institution expects demo, empty or ID:ITEMS[:NEW_QUIZZES][,...], got ${value}`);
    }
    return { id, items, newQuizzes };
  });
  return { courses };
}

function parseArgs(argv: string[]): SimulatorServerOptions {
  const opts: SimulatorServerOptions = {};
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg ?? ""} needs a value`);
      return value;
    };
    if (arg === "--port") opts.port = Number(next());
    else if (arg === "--storage-port") opts.storagePort = Number(next());
    else if (arg === "--host") opts.host = next();
    else if (arg === "--seed") opts.seed = Number(next());
    else if (arg === "--institution") opts.institution = parseInstitution(next());
    else if (arg === "--token") tokens.push(next());
    else if (arg === "--no-throttle") opts.throttle = { ...opts.throttle, enabled: false };
    else if (arg === "--header-fraction")
      opts.throttle = { ...opts.throttle, headerFraction: Number(next()) };
    else throw new Error(`unknown argument ${arg ?? ""}`);
  }
  if (tokens.length > 0) opts.tokens = tokens;
  return opts;
}

async function main(): Promise<void> {
  const server = await startSimulatorServer(parseArgs(process.argv.slice(2)));
  console.log(`Canvas simulator API on ${server.apiOrigin}, files on ${server.storageOrigin}`);
  console.log(
    `Courses: ${server.simulator.control.courseIds().join(", ")}; control API under ${server.apiOrigin}/__sim`,
  );
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
