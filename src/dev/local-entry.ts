export * from "../index";
export { default } from "../index";
export { LocalVectorize } from "./local-vectorize";
