// Records the statements the real SQL API client sends: a pass-through interceptor on a real undici Agent keeps the
// JSON body of every POST to /api/v2/statements, so a test can check the exact text and bindings that went out.
import type { TestContext } from 'node:test';
import { Agent, type Dispatcher } from 'undici';

export interface SentStatement {
  readonly statement: string;
  readonly bindings?: Readonly<Record<string, { readonly type: string; readonly value: string | null }>>;
}

export function recordingDispatcher(t: TestContext): { readonly dispatcher: Dispatcher; readonly sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  const agent = new Agent();
  t.after(() => agent.close());
  const dispatcher = agent.compose((dispatch) => (options, handler) => {
    if (options.method === 'POST' && typeof options.body === 'string' && options.path.startsWith('/api/v2/statements')) {
      sent.push(JSON.parse(options.body) as SentStatement);
    }
    return dispatch(options, handler);
  });
  return { dispatcher, sent };
}
