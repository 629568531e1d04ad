// One entry point from plain options to a TokenSource, so the configuration layer maps its validated account auth
// block here without knowing the classes behind each method.
import { KeyPairTokenSource, type KeyPairTokenSourceOptions } from './keypair.ts';
import { OAuthTokenSource, type OAuthTokenSourceOptions } from './oauth.ts';
import { ProgrammaticAccessTokenSource, type ProgrammaticAccessTokenSourceOptions } from './pat.ts';
import type { TokenSource } from './token-source.ts';

export type TokenSourceOptions =
  | ({ method: 'keypair' } & KeyPairTokenSourceOptions)
  | ({ method: 'pat' } & ProgrammaticAccessTokenSourceOptions)
  | ({ method: 'oauth' } & OAuthTokenSourceOptions);

/** Builds the token source for one account. Key problems (bad PEM, wrong passphrase) throw here, at start-up. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  switch (options.method) {
    case 'keypair':
      return new KeyPairTokenSource(options);
    case 'pat':
      return new ProgrammaticAccessTokenSource(options);
    case 'oauth':
      return new OAuthTokenSource(options);
  }
}
