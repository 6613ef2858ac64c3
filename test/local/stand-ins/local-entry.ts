export * from "../../../src/index";
export { default } from "../../../src/index";
export { LocalVectorize } from "./local-vectorize";
