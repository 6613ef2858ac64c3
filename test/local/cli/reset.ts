/**
 * `npm run reset`: deletes the local state of `npm start`, `npm run dev` and the demo (D1, R2, Queues, Durable
 * Objects under .wrangler/), so the next start begins from an empty mirror. Stop the running service first.
 */
import { CANVAS_STATE_DIR, DEMO_STATE_DIR, wipeState } from "./local-state";

for (const dir of [CANVAS_STATE_DIR, DEMO_STATE_DIR]) {
  console.log(wipeState(dir) ? `removed ${dir}` : `${dir}: nothing to remove`);
}
console.log("The next `npm start` or `npm run dev` starts from an empty local mirror.");
