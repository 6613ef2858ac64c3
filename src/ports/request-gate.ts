/**
 * The request gate port: paces the requests of one Canvas token. The Canvas client and the file store's Canvas hop
 * ask it before every request; the CanvasGate Durable Object implements it (src/deps.ts `gateFor`).
 */

/** What Canvas said about one request: its cost and what is left of the bucket (null when not said). */
export interface GateObservation {
  cost: number | null;
  remaining: number | null;
  throttled: boolean;
}

export interface RequestGate {
  /** Resolves, with a lease id, when a request may be sent. */
  acquire(): Promise<number>;
  /** Ends the lease, reporting what Canvas said about the request's cost and the bucket. */
  release(leaseId: number, observation: GateObservation): Promise<void>;
}
