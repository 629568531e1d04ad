// The pages a person sees during OAuth onboarding: the account chooser, the "connected" page and every error, each
// saying what happened and what to do next. Server-rendered, no script, one inline style allowed by its hash; every
// value from configuration or from Snowflake is escaped, and no token, code, verifier or secret is ever passed in.
import { createHash } from 'node:crypto';
import { Html, html } from '../http/html.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:48rem;line-height:1.45}
h1{font-size:1.5rem}.ok{color:#1a7f37}.fail{color:#cf222e}.muted{color:#6e7781}code{font-size:.95em}
a.button{display:inline-block;margin:.5rem .5rem 0 0;padding:.4rem 1rem;border:1px solid #0969da;border-radius:6px;text-decoration:none}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}th{background:#f6f8fa}`;

/** The CSP of these pages: nothing but their own inline style; links only, no forms. */
export const ONBOARDING_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

export interface OnboardingPage {
  readonly status: number;
  readonly title: string;
  /** Shown on the page, machine-readable for tests and scripts (`data-outcome`). */
  readonly outcome: string;
  readonly body: Html;
  readonly links?: readonly PageLink[];
}

export function renderPage(page: OnboardingPage): string {
  const failed = page.status >= 400;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} - snowflake-risk-exporter</title><style>${new Html(STYLE)}</style></head>
<body><main data-outcome="${page.outcome}">
<h1 class="${failed ? 'fail' : 'ok'}">${page.title}</h1>
${page.body}
${(page.links ?? []).map((link) => html`<a class="button" href="${link.href}">${link.label}</a>`)}
</main></body></html>
`.text;
}

export interface ChooserEntry {
  readonly name: string;
  readonly connected: boolean;
  readonly user: string | undefined;
  readonly refreshTokenExpiresAt: Date | undefined;
  readonly detail: string | undefined;
  readonly startUrl: string;
}

export function chooserPage(entries: readonly ChooserEntry[], notice?: Html): OnboardingPage {
  return {
    status: 200,
    title: 'Connect a Snowflake account with OAuth',
    outcome: 'chooser',
    body: html`${notice ?? ''}
${
  entries.length === 0
    ? html`<p>No account in the configuration uses OAuth (<code>auth.method: oauth</code>).</p>`
    : html`<p>Choose the account to connect. You will sign in to Snowflake and approve the exporter's access there.</p>
<table><thead><tr><th>account</th><th>state</th><th>refresh token valid until</th><th></th></tr></thead><tbody>${entries.map(
        (entry) => html`<tr><td><code>${entry.name}</code></td>
<td>${entry.connected ? html`<span class="ok">connected</span>${entry.user === undefined ? '' : html` as <code>${entry.user}</code>`}` : html`<span class="fail">disconnected</span>${entry.detail === undefined ? '' : html`: ${entry.detail}`}`}</td>
<td>${entry.refreshTokenExpiresAt === undefined ? 'unknown' : entry.refreshTokenExpiresAt.toISOString()}</td>
<td><a href="${entry.startUrl}">${entry.connected ? 'Reconnect' : 'Connect'}</a></td></tr>`,
      )}</tbody></table>`
}`,
  };
}

export interface ConnectedDetails {
  readonly account: string;
  readonly user: string | undefined;
  readonly role: string;
  readonly refreshTokenExpiresAt: Date | undefined;
  readonly hasRefreshToken: boolean;
  readonly startUrl: string;
  readonly now: Date;
}

export function connectedPage(details: ConnectedDetails): OnboardingPage {
  const expiry = details.refreshTokenExpiresAt;
  const days = expiry === undefined ? undefined : Math.floor((expiry.getTime() - details.now.getTime()) / 86_400_000);
  const validity = !details.hasRefreshToken
    ? html`<p class="fail"><strong>Snowflake issued no refresh token</strong>, so the exporter loses access when the access
token expires (about 10 minutes). Set <code>OAUTH_ISSUE_REFRESH_TOKENS = TRUE</code> on the security integration and
connect again.</p>`
    : expiry === undefined
      ? html`<p>Snowflake did not say when the refresh token expires (<code>OAUTH_REFRESH_TOKEN_VALIDITY</code>,
90 days by default). Connect again before then.</p>`
      : html`<p>The refresh token is valid until <strong id="refresh-token-expiry"><time datetime="${expiry.toISOString()}">${expiry.toISOString()}</time></strong>
(${days} days). The exporter renews its access tokens on its own until then; after that date only a new consent
reconnects the account. The metric <code>snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds</code> carries this
date and the alert rules warn 7 days ahead.</p>`;
  return {
    status: 200,
    title: `Account ${details.account} is connected`,
    outcome: 'connected',
    body: html`<p class="ok">The exporter now watches account <strong id="account">${details.account}</strong>${
      details.user === undefined ? '' : html` as Snowflake user <strong id="user">${details.user}</strong>`
    } with role <code>${details.role}</code>. Collection starts right away; its metrics appear within a minute or two.</p>
${validity}`,
    links: [{ href: details.startUrl, label: 'Reconnect later' }],
  };
}

/** An error page: what happened, why it matters, and what to do. `detail` comes from Snowflake, already redacted. */
export function errorPage(options: {
  readonly status: number;
  readonly outcome: string;
  readonly title: string;
  readonly explanation: Html | string;
  readonly detail?: string | undefined;
  readonly links?: readonly PageLink[];
}): OnboardingPage {
  return {
    status: options.status,
    title: options.title,
    outcome: options.outcome,
    body: html`<p>${options.explanation}</p>
${options.detail === undefined ? '' : html`<p class="muted">Details: ${options.detail}</p>`}
<p class="muted">Nothing was stored, and no other account is affected.</p>`,
    links: options.links ?? [],
  };
}
