export * from "./profiles";
export * from "./simulator";
