// The landing page at `/`: what the exporter is, where its endpoints are, and per account what collection last did.
// Server-rendered, no scripts, no external assets; one inline style block allowed by its hash in the CSP.
import { createHash } from 'node:crypto';
import { Html, html } from './html.ts';
import type { AccountStatus, DetectionStatus, ErrorStatus, OAuthAccountStatus, SourceStatus, StatusSnapshot, UnavailablePartStatus } from './status.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
th{background:#f6f8fa}.up{color:#1a7f37}.down{color:#cf222e}.unknown{color:#6e7781}code{font-size:.95em}`;

/** The `style-src` source that allows exactly the page's inline style. */
export const LANDING_STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function time(date: Date | undefined, now: Date): Html {
  if (!date) return html`never`;
  const ageSeconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  return html`<time datetime="${date.toISOString()}">${date.toISOString()}</time> (${ageSeconds} s ago)`;
}

function number(value: number | undefined, digits = 0): string {
  return value === undefined ? '' : value.toFixed(digits);
}

function upBadge(up: boolean | undefined): Html {
  if (up === undefined) return html`<span class="unknown">unknown (no cycle yet)</span>`;
  return up ? html`<span class="up">up</span>` : html`<span class="down">down</span>`;
}

/** "part unavailable: why" for each part a successful run could not read. */
function partsNote(parts: readonly UnavailablePartStatus[]): Html | string {
  if (parts.length === 0) return '';
  return html`${parts.map((part, index) => html`${index > 0 ? '; ' : ''}<code>${part.part}</code> unavailable: ${part.reason}`)}`;
}

/** "kind, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: message": what failed, in Snowflake's words when it said. */
function errorReason(error: ErrorStatus): Html {
  const codes = [
    error.snowflakeCode === undefined ? undefined : `Snowflake ${error.snowflakeCode}`,
    error.httpStatus === undefined ? undefined : `HTTP ${error.httpStatus}`,
    error.code,
  ].filter((part) => part !== undefined);
  return html`<strong>${error.kind}</strong>${codes.length === 0 ? '' : html` (<code>${codes.join(', ')}</code>)`}: ${error.message}`;
}

const DURING: Readonly<Record<ErrorStatus['during'], string>> = {
  start: 'the cycle could not start',
  source: 'source',
  'cycle history': 'recording the cycle history',
  'credit budget': 'the daily credit budget',
  cycle: 'the cycle',
};

/** The account's latest failure under its heading; marked as the reason while the account is down. */
function lastErrorNote(account: AccountStatus, now: Date): Html | string {
  const error = account.lastError;
  if (error === undefined) return '';
  const where = error.during === 'source' ? html`source <code>${error.source ?? ''}</code>` : DURING[error.during];
  return html`<p class="${account.up === false ? 'down' : 'unknown'}">${account.up === false ? 'Down: ' : 'Last error: '}${where} at ${time(error.at, now)}: ${errorReason(error)}</p>`;
}

function sourceRow(source: SourceStatus, now: Date): Html {
  const flags = [source.unavailable ? `unavailable${source.unavailableReason === undefined ? '' : `: ${source.unavailableReason}`}` : '', source.deferredForBudget ? 'deferred (budget)' : '']
    .filter(Boolean)
    .join(', ');
  const parts = source.unavailableParts.length === 0 ? '' : html`${flags === '' ? '' : '; '}<span class="down">partial</span>: ${partsNote(source.unavailableParts)}`;
  const lastErrorAt = source.lastErrorAt ? html` at ${time(source.lastErrorAt, now)}` : '';
  return html`<tr><td><code>${source.source}</code></td><td>${time(source.lastSuccessAt, now)}</td>
<td>${number(source.lastDurationSeconds, 1)}</td><td>${number(source.lastRows)}</td><td>${number(source.rowsTotal)}</td>
<td>${number(source.lagSeconds)}</td><td>${source.lastError === undefined ? (source.lastErrorKind ?? '') : errorReason(source.lastError)}${lastErrorAt}</td>
<td>${flags}${parts}</td></tr>`;
}

function detectionState(detection: DetectionStatus): Html | string {
  if (detection.unavailable) return html`<span class="down">unavailable</span>${detection.unavailableReason === undefined ? '' : html`: ${detection.unavailableReason}`}`;
  if (detection.unavailableParts.length > 0) return html`<span class="down">partial</span>: ${partsNote(detection.unavailableParts)}; the other checks ran`;
  return 'available';
}

function detectionsSection(account: AccountStatus, now: Date): Html | string {
  const detections = account.detections ?? [];
  if (detections.length === 0) return '';
  const unavailable = detections.filter((detection) => detection.unavailable).length;
  const partial = detections.filter((detection) => !detection.unavailable && detection.unavailableParts.length > 0).length;
  return html`<h3>Detections</h3>
<p>${detections.length} enabled${unavailable > 0 ? html`; <strong>${unavailable} unavailable</strong> (a view is missing or not granted)` : ''}${
    partial > 0 ? html`; <strong>${partial} partial</strong> (a check is unavailable on this account, the others run)` : ''
  }.</p>
<table><thead><tr><th>detection</th><th>kind</th><th>severity</th><th>title</th><th>last run</th><th>status</th></tr></thead>
<tbody>${detections.map(
    (detection) =>
      html`<tr><td><code>${detection.id}</code></td><td>${detection.kind}</td><td>${detection.severity}</td><td>${detection.title}</td>
<td>${time(detection.lastRunAt, now)}</td><td>${detectionState(detection)}</td></tr>`,
  )}</tbody></table>`;
}

function oauthSection(oauth: OAuthAccountStatus | undefined, now: Date): Html | string {
  if (oauth === undefined) return '';
  const connect = oauth.connectUrl === undefined
    ? html` (the onboarding routes are off: set <code>server.onboarding.enabled: true</code> to connect)`
    : html` <a href="${oauth.connectUrl}">${oauth.connected ? 'Reconnect' : 'Connect with OAuth'}</a>`;
  const expiry = oauth.refreshTokenExpiresAt === undefined
    ? ''
    : html`; refresh token valid until <time datetime="${oauth.refreshTokenExpiresAt.toISOString()}">${oauth.refreshTokenExpiresAt.toISOString()}</time>
(${Math.floor((oauth.refreshTokenExpiresAt.getTime() - now.getTime()) / 86_400_000)} days)`;
  return html`<p class="oauth">OAuth: ${oauth.connected ? html`<span class="up">connected</span>` : html`<span class="down">disconnected</span>`}${
    oauth.user === undefined ? '' : html` as <code>${oauth.user}</code>`
  }${expiry}${oauth.detail === undefined ? '' : html` (${oauth.detail})`}.${connect}</p>`;
}

function accountSection(account: AccountStatus, now: Date): Html {
  const cost = account.cost;
  return html`<section><h2>Account <code>${account.name}</code>: ${upBadge(account.up)}</h2>
${lastErrorNote(account, now)}
${oauthSection(account.oauth, now)}
<h3>Sources</h3>
${
  account.sources.length === 0
    ? html`<p>No source has run yet.</p>`
    : html`<table><thead><tr><th>source</th><th>last success</th><th>duration (s)</th><th>rows (last)</th><th>rows (total)</th><th>lag (s)</th><th>last error</th><th>flags</th></tr></thead>
<tbody>${account.sources.map((source) => sourceRow(source, now))}</tbody></table>`
}
${detectionsSection(account, now)}
<h3>Posture</h3>
${
  account.posture.length === 0
    ? html`<p>No posture snapshot yet.</p>`
    : html`<table><thead><tr><th>kind</th><th>taken</th><th>facts</th></tr></thead><tbody>${account.posture.map(
        (posture) =>
          html`<tr><td>${posture.kind}</td><td>${time(posture.takenAt, now)}</td><td>${posture.facts.map(
            (fact, index) => html`${index > 0 ? '; ' : ''}${fact.name}: ${fact.value === null ? html`<span class="unknown">unknown</span>` : fact.value}`,
          )}</td></tr>`,
      )}</tbody></table>`
}
<h3>Recent cycles</h3>
${
  account.recentCycles.length === 0
    ? html`<p>No cycle has finished yet.</p>`
    : html`<table><thead><tr><th>finished</th><th>outcome</th><th>duration (s)</th></tr></thead><tbody>${account.recentCycles.map(
        (cycle) => html`<tr><td>${time(cycle.finishedAt, now)}</td><td>${cycle.outcome}</td><td>${number(cycle.durationSeconds, 1)}</td></tr>`,
      )}</tbody></table>`
}
<p>Cost since start: ${cost.statements} statements, ${number(cost.warehouseSeconds)} estimated warehouse seconds,
${number(cost.credits, 4)} estimated credits; today ${number(cost.creditsToday, 4)} credits${
  cost.creditBudget === undefined ? '' : html` of a ${number(cost.creditBudget, 4)} budget`
}${cost.budgetExhausted ? html` <strong>(budget reached: non-critical sources deferred)</strong>` : ''}.</p>
</section>`;
}

export function renderLandingPage(status: StatusSnapshot, links: { readonly metricsPath: string }): string {
  const now = status.generatedAt;
  const title = `${status.product.name} ${status.product.version}`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${new Html(STYLE)}</style></head>
<body><h1>${title}</h1>
<p>Watches Snowflake accounts for insider risk. Started ${time(status.startedAt, now)}.</p>
<ul><li><a href="${links.metricsPath}">${links.metricsPath}</a>: Prometheus metrics</li>
<li><a href="/healthz">/healthz</a>: liveness</li><li><a href="/readyz">/readyz</a>: readiness</li>
<li><a href="/api/status">/api/status</a>: this page as JSON</li></ul>
${status.accounts.length === 0 ? html`<p>No account is configured.</p>` : status.accounts.map((a) => accountSection(a, now))}
</body></html>
`.text;
}
