// What --check-config prints: enough for an operator to see what will be watched and how, and nothing secret.
// Secret fields show only where the value comes from (env:NAME, file:PATH).
import { formatDuration, type AccountConfig, type AuthConfig, type ExporterConfig } from '../config/index.ts';
import { BUILT_IN_DETECTION_IDS } from '../detect/catalog-ids.ts';
import { resolveIdentifier } from '../snowflake/identifier.ts';

export function summarizeConfig(config: ExporterConfig): string {
  const { listen, metricsPath } = config.server;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const lines = [
    `configuration: ${config.sourcePath}`,
    `server: http://${host}:${listen.port}${metricsPath}  log level: ${config.log.level}  state: ${config.state.path}`,
    `${config.accounts.length} account${config.accounts.length === 1 ? '' : 's'}:`,
  ];
  for (const account of config.accounts) lines.push(...summarizeAccount(account, config));
  if (config.customDetections.length > 0) {
    lines.push(`custom detections: ${config.customDetections.map((detection) => detection.id).join(', ')}`);
  }
  lines.push(`OAuth token encryption key: ${config.state.encryptionKey === undefined ? 'not set (OAuth accounts cannot connect)' : `from ${config.state.encryptionKey.source}`}`);
  const otlp = config.otlp;
  lines.push(
    otlp === undefined || !otlp.enabled
      ? 'OTLP logs: off'
      : `OTLP logs: ${otlp.endpoint ?? 'from OTEL_EXPORTER_OTLP_* (else http://localhost:4318)'} ` +
          `(${otlp.protocol ?? 'protocol from OTEL_* or http/protobuf'}; queue ${otlp.queueSize}, batch ${otlp.maxBatch}` +
          `${Object.keys(otlp.headers).length === 0 ? '' : `; headers ${Object.entries(otlp.headers).map(([name, value]) => `${name} from ${value.source}`).join(', ')}`})`,
  );
  if (config.sharding !== undefined) {
    lines.push(`sharding: shard ${config.sharding.index} of ${config.sharding.shards} (this process watches the accounts hashed to it)`);
  }
  return lines.join('\n');
}

function summarizeAccount(account: AccountConfig, config: ExporterConfig): string[] {
  const total = BUILT_IN_DETECTION_IDS.length + config.customDetections.length;
  const target = account.endpoint === undefined ? account.baseUrl : `${account.baseUrl} (endpoint override)`;
  const who = [
    account.user === undefined ? undefined : `user ${resolvedName(account.user)}`,
    `role ${resolvedName(account.role)}`,
    `warehouse ${resolvedName(account.warehouse)}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const intervals = Object.entries(account.intervalSeconds)
    .map(([source, seconds]) => `${source} ${formatDuration(seconds)}`)
    .join(', ');
  return [
    `  - ${account.name}: ${account.identifier.raw} (${account.identifier.kind}, JWT account ${account.identifier.jwtAccount})`,
    `      endpoint: ${target}`,
    `      ${who}; auth: ${describeAuth(account.auth)}`,
    `      ${account.detections.length} of ${total} detections; concurrency ${account.concurrency}; ` +
      `statement timeout ${formatDuration(account.statementTimeoutSeconds)}`,
    `      intervals: ${intervals}`,
  ];
}

/**
 * The name Snowflake will be asked for (what SHOW shows), and how it was written when that differs: `risk_exporter`
 * is sent as RISK_EXPORTER, which is the name to grant and create.
 */
function resolvedName(text: string): string {
  const name = resolveIdentifier(text);
  return name === text ? name : `${name} (written ${text})`;
}

function describeAuth(auth: AuthConfig): string {
  switch (auth.method) {
    case 'keypair': {
      const passphrase = auth.passphrase === undefined ? '' : `, passphrase from ${auth.passphrase.source}`;
      return `key pair (private key from ${auth.privateKey.source}${passphrase})`;
    }
    case 'pat':
      return `programmatic access token (from ${auth.token.source})`;
    case 'oauth':
      return `OAuth (client secret from ${auth.clientSecret.source})`;
  }
}
