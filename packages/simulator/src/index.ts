export * from "./acked-readings";
export * from "./profiles";
export * from "./simulator";
