/** What the end-to-end tests, the corpus runner and the bench share: see each module. */
export * from "./env";
export * from "./http";
export * from "./proc";
export * from "./project";
export * from "./registry";
