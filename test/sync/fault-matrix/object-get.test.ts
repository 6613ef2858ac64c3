/** The fault matrix for the "object GET" request kind (see matrix.ts). */
import { beforeAll, describe, expect, it } from "vitest";
import type { CanvasSimulator } from "../../local/simulator";
import { resetStorage } from "../../support/harness";
import { FAULTS, matrixSimulator, runCell } from "../../support/fault-matrix";

const FIRST_COURSE = 8900;

describe("fault matrix: object GET", () => {
  let simulator: CanvasSimulator;

  beforeAll(async () => {
    await resetStorage();
    simulator = await matrixSimulator(FIRST_COURSE);
  });

  for (const [index, fault] of Object.keys(FAULTS).entries()) {
    it(`${fault}: never claims success with a hole, and the next sync converges`, async () => {
      expect(await runCell(simulator, FIRST_COURSE + index, "object GET", fault)).toBe("converged");
    });
  }
});
