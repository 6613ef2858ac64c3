import { DurableObject } from "cloudflare:workers";

export class CourseSync extends DurableObject<Env> {
  ping(): string {
    return "pong";
  }
}
export class CanvasGate extends DurableObject<Env> {}

export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
