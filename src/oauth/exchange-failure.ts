// The pages for a code exchange that failed at Snowflake's token endpoint: each names the likely cause and the fix
// (a wrong client secret, an expired or reused code, Snowflake unreachable). Messages quoted are Snowflake's, already
// stripped of every secret of the request by the token endpoint client.
import { html } from '../http/html.ts';
import { AuthError, OAuthTokenEndpointError } from '../snowflake/auth/index.ts';
import { errorPage, type OnboardingPage, type PageLink } from './pages.ts';

/** Turns a failed code exchange into advice. Messages quoted are Snowflake's, already stripped of our secrets. */
export function exchangeFailurePage(account: string, failure: unknown, restart: readonly PageLink[]): OnboardingPage {
  if (failure instanceof OAuthTokenEndpointError) {
    const detail = failure.serverMessage ?? undefined;
    if (failure.code === 'OAUTH_TOKEN_REQUEST_REJECTED' && (failure.error === 'invalid_client' || failure.status === 401)) {
      return errorPage({
        status: 502,
        outcome: 'client_rejected',
        title: "Snowflake rejected the exporter's OAuth client",
        explanation: html`The client id or client secret configured for <code>${account}</code> (<code>auth.clientId</code>,
<code>auth.clientSecret</code>) does not match the security integration. Read both with
<code>SELECT SYSTEM$SHOW_OAUTH_CLIENT_SECRETS('&lt;INTEGRATION_NAME&gt;')</code>, fix the secret the reference points to,
restart the exporter and connect again.`,
        detail,
        links: restart,
      });
    }
    if (failure.code === 'OAUTH_TOKEN_REQUEST_REJECTED' && failure.error === 'invalid_grant') {
      return errorPage({
        status: 400,
        outcome: 'code_rejected',
        title: 'Snowflake refused the authorization code',
        explanation:
          'The code expired before the exporter redeemed it (codes live only minutes), was already used, or the redirect ' +
          'URI no longer matches the integration. Start the sign-in again and finish it without pausing.',
        detail,
        links: restart,
      });
    }
    if (failure.code === 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE') {
      return errorPage({
        status: 502,
        outcome: 'snowflake_unreachable',
        title: 'Snowflake could not be reached',
        explanation: "The exporter could not reach the account's token endpoint (network, or Snowflake answering with errors). Try again in a few minutes.",
        detail,
        links: restart,
      });
    }
    return errorPage({
      status: 502,
      outcome: 'exchange_failed',
      title: 'Snowflake did not issue tokens',
      explanation: 'The token endpoint refused the request or answered with something that is not a token response.',
      detail: detail ?? failure.error ?? undefined,
      links: restart,
    });
  }
  if (failure instanceof AuthError) {
    return errorPage({
      status: 500,
      outcome: 'configuration_error',
      title: 'The account cannot be connected as configured',
      explanation: failure.message,
      links: restart,
    });
  }
  throw failure;
}
