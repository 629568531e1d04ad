// The HTML of the authorization flow: a sign-in form, a consent screen naming the client and the role, and an
// error page. Plain server-rendered forms (no script), so a real browser and a test's HTTP client drive them alike.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Snowflake emulator</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f7fb;margin:0;display:flex;justify-content:center}
main{background:#fff;margin-top:8vh;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 2px 12px #0002;max-width:26rem;width:100%}
h1{font-size:1.3rem;color:#11567f}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.2rem;margin-right:.5rem;padding:.5rem 1.2rem;border-radius:4px;border:1px solid #11567f;background:#29b5e8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#11567f}.error{color:#b00020}.note{color:#555;font-size:.85rem}
</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
<p class="note">Snowflake emulator: local stand-in, not a Snowflake account.</p>
</main></body>
</html>
`;
}

export interface FormContext {
  requestId: string;
  csrfToken: string;
}

function hiddenFields(context: FormContext): string {
  return (
    `<input type="hidden" name="request_id" value="${escapeHtml(context.requestId)}">\n` +
    `<input type="hidden" name="csrf_token" value="${escapeHtml(context.csrfToken)}">`
  );
}

export function signInPage(context: FormContext & { clientName: string; error?: string }): string {
  const error = context.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(context.error)}</p>\n`;
  return page(
    'Sign in to Snowflake',
    `<p><strong>${escapeHtml(context.clientName)}</strong> wants to connect to your account.</p>
${error}<form method="post" action="/oauth/authorize">
${hiddenFields(context)}
<input type="hidden" name="action" value="sign_in">
<label for="login_name">User name</label>
<input type="text" id="login_name" name="login_name" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(context: FormContext & { clientName: string; user: string; role: string; offlineAccess: boolean }): string {
  const offline = context.offlineAccess ? '<li>stay connected when you are away (refresh token)</li>' : '';
  return page(
    'Allow access?',
    `<p>Signed in as <strong>${escapeHtml(context.user)}</strong>.</p>
<p><strong>${escapeHtml(context.clientName)}</strong> requests access to your Snowflake account with the role
<strong id="role">${escapeHtml(context.role)}</strong>. It will be able to:</p>
<ul><li>run queries with role ${escapeHtml(context.role)}</li>${offline}</ul>
<form method="post" action="/oauth/authorize">
${hiddenFields(context)}
<button type="submit" name="action" value="approve">Allow</button>
<button type="submit" name="action" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

export function errorPage(code: string, message: string): string {
  return page('Authorization failed', `<p class="error" role="alert">${escapeHtml(message)}</p>\n<p class="note">Error code ${escapeHtml(code)}</p>`);
}
