// Which refusals mean "the account lacks this optional column" (so the detection runs without it) and which do not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authSuspiciousLogin } from '../../../../src/detect/catalog/auth/suspicious-login.ts';
import { missingOptionalColumn } from '../../../../src/collect/optional-columns.ts';
import { SnowflakeQueryError } from '../../../../src/snowflake/sqlapi/index.ts';

const refused = (code: string, message: string): SnowflakeQueryError =>
  new SnowflakeQueryError(message, { httpStatus: 422, snowflakeCode: code, sqlState: '42000' });

describe('missingOptionalColumn', () => {
  it('recognises 000904 invalid identifier naming the column, bare, qualified or quoted', () => {
    for (const named of ["'LOGIN_DETAILS'", "'L.LOGIN_DETAILS'", `'"LOGIN_DETAILS"'`, "'l.login_details'"]) {
      const error = refused('000904', `SQL compilation error: error line 4 at position 40\ninvalid identifier ${named}`);
      assert.equal(missingOptionalColumn(error, authSuspiciousLogin.optionalColumns, new Set())?.part, 'login_details', named);
    }
  });

  it('ignores other codes, other columns, and a column already left out', () => {
    const missing = refused('000904', "SQL compilation error: error line 1 at position 7\ninvalid identifier 'L.CLIENT_IP'");
    assert.equal(missingOptionalColumn(missing, authSuspiciousLogin.optionalColumns, new Set()), undefined);
    const types = refused('001044', "SQL compilation error: error line 4 at position 8\nInvalid argument types for function 'GET': (VARCHAR(16777216), VARCHAR(22))");
    assert.equal(missingOptionalColumn(types, authSuspiciousLogin.optionalColumns, new Set()), undefined);
    const again = refused('000904', "SQL compilation error:\ninvalid identifier 'L.LOGIN_DETAILS'");
    assert.equal(missingOptionalColumn(again, authSuspiciousLogin.optionalColumns, new Set(['login_details'])), undefined);
    assert.equal(missingOptionalColumn(new Error("invalid identifier 'LOGIN_DETAILS'"), authSuspiciousLogin.optionalColumns, new Set()), undefined);
    assert.equal(missingOptionalColumn(again, undefined, new Set()), undefined);
  });
});
