// The entry Pulumi's schema inference reads (package.json `main`, .js -> .ts):
// the components it finds here, and the types they use, make the package's schema.
export * from "../lib";
