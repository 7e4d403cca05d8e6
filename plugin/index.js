// The plugin's runtime entry: the built components (npm run build).
// Pulumi's schema inference reads index.ts instead (package.json `main`, .js -> .ts).
module.exports = require("../dist/lib");
