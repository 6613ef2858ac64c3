/** The fault matrix for the "file redirect" request kind (see matrix.ts). */
import { beforeAll, describe, expect, it } from "vitest";
import type { CanvasSimulator } from "../../local/simulator";
import { resetStorage } from "../../support/harness";
import { FAULTS, matrixSimulator, runCell } from "../../support/fault-matrix";

const FIRST_COURSE = 5600;

describe("fault matrix: file redirect", () => {
  let simulator: CanvasSimulator;

  beforeAll(async () => {
    await resetStorage();
    simulator = await matrixSimulator(FIRST_COURSE);
  });

  for (const [index, fault] of Object.keys(FAULTS).entries()) {
    it(`${fault}: never claims success with a hole, and the next sync converges`, async () => {
      expect(await runCell(simulator, FIRST_COURSE + index, "file redirect", fault)).toBe("converged");
    });
  }
});
