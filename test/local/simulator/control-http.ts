/**
 * The control API over HTTP under `${apiOrigin}/__sim/...` (no auth, never throttled or counted), for the
 * Node server and the benchmark, where tests cannot call SimulatorControl directly. Bodies are validated with
 * zod; SimError and validation failures become 4xx JSON answers.
 */
import { z } from "zod";
import { FaultRuleSchema } from "./faults";
import { json } from "./http";
import { MutationOpSchema } from "./mutation-ops";
import { SimError } from "./store";
import type { SimulatorControl } from "./control";

const TokenState = z.enum(["valid", "expired", "revoked", "invalid"]);
const TokenOpSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("add"), token: z.string().min(1), state: TokenState.optional() }),
  z.object({ action: z.literal("setState"), token: z.string().min(1), state: TokenState }),
  z.object({
    action: z.literal("deny"),
    token: z.string().min(1),
    denial: z.object({
      pathPrefix: z.string().optional(),
      pathRegex: z.string().optional(),
      method: z.string().optional(),
      kind: z.enum(["unauthorized", "forbidden", "insufficient_scope"]),
    }),
  }),
  z.object({ action: z.literal("clearDenials"), token: z.string().optional() }),
]);

const ThrottlePatchSchema = z.object({
  enabled: z.boolean().optional(),
  hwm: z.number().positive().optional(),
  outflow: z.number().min(0).optional(),
  upFront: z.number().min(0).optional(),
  maximum: z.number().positive().optional(),
  mode: z.enum(["403", "429"]).optional(),
  headerFraction: z.number().min(0).max(1).optional(),
  reset: z.boolean().optional(),
});

const FaultsBodySchema = z.union([FaultRuleSchema, z.object({ rules: z.array(FaultRuleSchema) })]);

async function body(request: Request): Promise<unknown> {
  const text = await request.text();
  return text === "" ? {} : (JSON.parse(text) as unknown);
}

async function route(control: SimulatorControl, request: Request, url: URL): Promise<Response> {
  const path = url.pathname.replace(/^\/__sim/, "");
  const method = request.method;
  if (method === "GET" && (path === "" || path === "/" || path === "/health")) return json(200, { ok: true });
  if (method === "POST" && path === "/mutate") {
    const result = control.mutate(MutationOpSchema.parse(await body(request)));
    return json(200, { ok: true, result: result ?? null });
  }
  if (path === "/faults") {
    if (method === "GET") return json(200, control.listFaults());
    if (method === "DELETE") return (control.clearFaults(), json(200, { ok: true }));
    if (method === "POST") {
      const parsed = FaultsBodySchema.parse(await body(request));
      const rules = "rules" in parsed ? parsed.rules : [parsed];
      return json(200, { ids: rules.map((r) => control.addFault(r)) });
    }
  }
  if (method === "POST" && path === "/faults/clear") return (control.clearFaults(), json(200, { ok: true }));
  if (method === "GET" && path === "/counters") return json(200, control.counters());
  if (method === "GET" && path === "/load") return json(200, control.load());
  if (method === "POST" && path === "/counters/reset")
    return (control.resetCounters(), json(200, { ok: true }));
  const truth = /^\/truth\/(\d+)$/.exec(path);
  if (method === "GET" && truth?.[1] !== undefined) {
    return json(
      200,
      await control.truth(Number(truth[1]), { hashes: url.searchParams.get("hashes") !== "false" }),
    );
  }
  if (method === "GET" && path === "/courses") return json(200, control.courseIds());
  if (method === "POST" && path === "/files/verifiers") {
    const { enabled } = z.object({ enabled: z.boolean() }).parse(await body(request));
    control.setFileVerifiers(enabled);
    return json(200, { ok: true, enabled });
  }
  if (method === "POST" && path === "/tokens") {
    const op = TokenOpSchema.parse(await body(request));
    if (op.action === "add") control.addToken(op.token, op.state);
    else if (op.action === "setState") control.setTokenState(op.token, op.state);
    else if (op.action === "deny") control.denyAccess(op.token, op.denial);
    else control.clearDenials(op.token);
    return json(200, { ok: true });
  }
  if (path === "/throttle") {
    if (method === "GET") return json(200, control.throttleOptions());
    if (method === "POST") {
      const { reset, ...patch } = ThrottlePatchSchema.parse(await body(request));
      const options: Parameters<SimulatorControl["setThrottle"]>[0] = {};
      for (const [key, value] of Object.entries(patch))
        if (value !== undefined) Object.assign(options, { [key]: value });
      control.setThrottle(options);
      if (reset === true) control.resetThrottle();
      return json(200, control.throttleOptions());
    }
  }
  if (method === "GET" && path === "/events") {
    return json(200, control.events(Number(url.searchParams.get("after") ?? "0") || 0));
  }
  return json(404, { errors: [{ message: `no simulator control route ${method} ${path}` }] });
}

export async function handleControl(control: SimulatorControl, request: Request): Promise<Response> {
  try {
    return await route(control, request, new URL(request.url));
  } catch (error) {
    if (error instanceof SimError) return json(error.status, { errors: [{ message: error.message }] });
    if (error instanceof z.ZodError)
      return json(400, { errors: [{ message: "invalid body", issues: error.issues }] });
    if (error instanceof SyntaxError) return json(400, { errors: [{ message: "body is not JSON" }] });
    throw error;
  }
}
