// Fetch Metadata (Sec-Fetch-* request headers) for the OAuth routes: only a top-level navigation may reach them from
// another site. A link in a runbook or chat, and Snowflake's redirect back to the callback, are cross-site
// navigations of a whole page (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`) and are allowed. A cross-site
// subrequest (an <img>, fetch() or <iframe> on a page the operator happens to visit) is refused before it can create a
// pending sign-in or set a state cookie: such a request is never the operator's intent.
//
// Requests without the headers (command-line clients, browsers older than 2023) are let through: the signed,
// SameSite=Lax state cookie and the single-use state still protect the flow for them.
import type { IncomingHttpHeaders } from 'node:http';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** Why a request must be refused (a short reason for the page and the log), or undefined when it may proceed. */
export function crossSiteSubrequestReason(headers: IncomingHttpHeaders): string | undefined {
  const site = header(headers, 'sec-fetch-site');
  if (site !== 'cross-site') return undefined;
  const mode = header(headers, 'sec-fetch-mode');
  const destination = header(headers, 'sec-fetch-dest');
  if (mode === 'navigate' && (destination === undefined || destination === 'document')) return undefined;
  return `a cross-site ${destination ?? mode ?? 'subrequest'} request (Sec-Fetch-Mode ${mode ?? 'absent'})`;
}
