#!/usr/bin/env node
// Command-line entry. The sources are TypeScript run directly by Node.js 24 (type stripping), so this shim only
// loads src/main.ts; it needs Node.js >= 24 and a checkout or image that contains src/ (not an installed tarball).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`snowflake-risk-exporter needs Node.js 24 or newer (this is ${process.version}).`);
  process.exit(1);
}
await import('../src/main.ts');
