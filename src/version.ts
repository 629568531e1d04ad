// The exporter's own name and version, read once from package.json so the CLI, the User-Agent and the OTLP resource
// always agree with what was released.
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './package-root.ts';

interface PackageJson {
  name: string;
  version: string;
}

const packageJson = JSON.parse(
  readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8'),
) as PackageJson;

export const PRODUCT_NAME: string = packageJson.name;
export const PRODUCT_VERSION: string = packageJson.version;
