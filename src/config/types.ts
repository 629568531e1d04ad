// The resolved configuration that the rest of the exporter consumes: durations in seconds, defaults merged into each
// account, the account identifier parsed, and secrets read into Secret objects. Nothing downstream re-validates it.
import type { SourceId } from '../collect/source-ids.ts';
import type { AccountIdentifier, EndpointOverride } from '../snowflake/account-identifier.ts';
import type { Secret } from '../util/secret.ts';
import type { ListenAddress, LogLevel, Severity } from './schema.ts';

export type { ListenAddress, LogLevel, Severity };

export interface ExporterConfig {
  /** Absolute path of the file this was loaded from. */
  readonly sourcePath: string;
  readonly server: ServerConfig;
  readonly log: { readonly level: LogLevel };
  readonly state: { readonly path: string };
  readonly accounts: readonly AccountConfig[];
  readonly customDetections: readonly CustomDetectionConfig[];
}

export interface ServerConfig {
  readonly listen: ListenAddress;
  readonly metricsPath: string;
}

export interface AccountConfig {
  /** Short label used in metrics and logs. */
  readonly name: string;
  readonly identifier: AccountIdentifier;
  /** Present only when `endpoint` was configured. */
  readonly endpoint: EndpointOverride | undefined;
  /** Where SQL API requests go: the endpoint override if any, else `https://<identifier host>`. No trailing slash. */
  readonly baseUrl: string;
  /** Snowflake user name as written (key-pair JWT claims upper-case it). Always set for key-pair auth. */
  readonly user: string | undefined;
  readonly role: string;
  readonly warehouse: string;
  readonly auth: AuthConfig;
  /** Statements in flight at once for this account. */
  readonly concurrency: number;
  /** Polling interval per source, in seconds. Every source has one. */
  readonly intervalSeconds: Readonly<Record<SourceId, number>>;
  /** Detection ids that run for this account (built-in and custom), sorted. */
  readonly detections: readonly string[];
  readonly statementTimeoutSeconds: number;
}

export type AuthConfig = KeyPairAuthConfig | PatAuthConfig | OAuthAuthConfig;

export interface KeyPairAuthConfig {
  readonly method: 'keypair';
  /** PEM text of a PKCS#8 private key (possibly encrypted). */
  readonly privateKey: Secret;
  readonly passphrase: Secret | undefined;
}

export interface PatAuthConfig {
  readonly method: 'pat';
  readonly token: Secret;
}

export interface OAuthAuthConfig {
  readonly method: 'oauth';
  /** Not a secret (it appears in the consent URL), but it may still come from a reference. */
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly redirectUri: string | undefined;
}

export interface CustomDetectionConfig {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly sql: string;
  readonly description: string | undefined;
}

/** Built-in defaults for settings the file leaves out. */
export const DEFAULTS = {
  listen: { host: '0.0.0.0', port: 9975 },
  metricsPath: '/metrics',
  logLevel: 'info',
  statePath: './data/state.db',
  concurrency: 4,
  statementTimeoutSeconds: 600,
} as const;
