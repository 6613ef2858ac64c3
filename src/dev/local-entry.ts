export * from "../index";
export { default } from "../index";
import { WorkerEntrypoint } from "cloudflare:workers";
export class LocalVectorize extends WorkerEntrypoint<Env> {
  async describe(): Promise<string> {
    return "standin";
  }
}
