import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AccountIdentifierError,
  isLoopbackHostname,
  parseAccountIdentifier,
  parseEndpointOverride,
} from '../../src/snowflake/account-identifier.ts';

describe('parseAccountIdentifier: accepted forms', () => {
  const cases: [input: string, kind: string, host: string, jwtAccount: string][] = [
    ['myorg-myaccount', 'org-account', 'myorg-myaccount.snowflakecomputing.com', 'MYORG-MYACCOUNT'],
    ['MyOrg-My_Account', 'org-account', 'myorg-my_account.snowflakecomputing.com', 'MYORG-MY_ACCOUNT'],
    ['myorg2-prod_eu_1', 'org-account', 'myorg2-prod_eu_1.snowflakecomputing.com', 'MYORG2-PROD_EU_1'],
    ['myorg-prod.privatelink', 'org-account', 'myorg-prod.privatelink.snowflakecomputing.com', 'MYORG-PROD'],
    ['myorg-myaccount.snowflakecomputing.com', 'org-account', 'myorg-myaccount.snowflakecomputing.com', 'MYORG-MYACCOUNT'],
    ['MYORG-MYACCOUNT.SNOWFLAKECOMPUTING.COM', 'org-account', 'myorg-myaccount.snowflakecomputing.com', 'MYORG-MYACCOUNT'],
    ['xy12345', 'locator', 'xy12345.snowflakecomputing.com', 'XY12345'],
    ['XY12345', 'locator', 'xy12345.snowflakecomputing.com', 'XY12345'],
    ['xy12345.us-east-2', 'locator', 'xy12345.us-east-2.snowflakecomputing.com', 'XY12345'],
    ['xy12345.us-east-2.aws', 'locator', 'xy12345.us-east-2.aws.snowflakecomputing.com', 'XY12345'],
    ['xy12345.eu-west-1.azure', 'locator', 'xy12345.eu-west-1.azure.snowflakecomputing.com', 'XY12345'],
    ['xy12345.east-us-2.azure', 'locator', 'xy12345.east-us-2.azure.snowflakecomputing.com', 'XY12345'],
    ['ab12345.us-central1.gcp', 'locator', 'ab12345.us-central1.gcp.snowflakecomputing.com', 'AB12345'],
    ['abc12345.us-gov-west-1.aws', 'locator', 'abc12345.us-gov-west-1.aws.snowflakecomputing.com', 'ABC12345'],
    ['xy12345.us-east-1.privatelink', 'locator', 'xy12345.us-east-1.privatelink.snowflakecomputing.com', 'XY12345'],
    ['xy12345.east-us-2.azure.privatelink', 'locator', 'xy12345.east-us-2.azure.privatelink.snowflakecomputing.com', 'XY12345'],
    ['xy12345.us-east-2.aws.snowflakecomputing.com', 'locator', 'xy12345.us-east-2.aws.snowflakecomputing.com', 'XY12345'],
    // Snowflake's reference normalisation for global URLs: the part before the first "-".
    ['xy12345-abcd1234.global', 'locator', 'xy12345-abcd1234.global.snowflakecomputing.com', 'XY12345'],
    ['xy12345-1a2b.global', 'locator', 'xy12345-1a2b.global.snowflakecomputing.com', 'XY12345'],
  ];
  for (const [input, kind, host, jwtAccount] of cases) {
    test(input, () => {
      const parsed = parseAccountIdentifier(input);
      assert.deepEqual(parsed, { raw: input, kind, host, jwtAccount, baseUrl: `https://${host}` });
    });
  }
});

describe('parseAccountIdentifier: rejected inputs', () => {
  const rejected: [input: string, reason: RegExp][] = [
    ['', /empty/],
    ['evil.com/', /contains "\/"/],
    ['evil.com', /neither a locator with a region nor orgname-account_name/],
    ['a@b', /contains "@"/],
    ['org-acct:443', /contains ":"/],
    ['https://myorg-acct.snowflakecomputing.com', /contains ":"/],
    ['myorg-acct.snowflakecomputing.com/x', /contains "\/"/],
    ['acct.snowflakecomputing.com.evil.com', /neither orgname-account_name nor an account locator/],
    ['myorg-acct.snowflakecomputing.com.evil.com', /only "\.privatelink" may follow/],
    ['xy12345.us-east-2.aws.evil.com', /unexpected "aws\.evil\.com"/],
    ['xy12345.us-east-2.evil', /unexpected "evil"/],
    ['xy12345.us-east-2.aws.privatelink.x', /unexpected/],
    ['..', /empty label/],
    ['xy12345..us-east-2', /empty label/],
    ['.xy12345', /empty label/],
    ['xy12345.', /empty label/],
    ['.snowflakecomputing.com', /nothing before/],
    ['snowflakecomputing.com', /neither a locator with a region/],
    ['my org-acct', /a space/],
    ['myorg-acct\n', /U\+000A/],
    ['myörg-acct', /U\+00F6/],
    ['xy12345.us-east-2.aws\u0000', /U\+0000/],
    ['myorg-\u{1F600}', /U\+1F600/],
    ['myorg.myaccount', /write it with a hyphen: myorg-myaccount/],
    ['myorg-', /expected orgname-account_name/],
    ['-myaccount', /expected orgname-account_name/],
    ['my-org-acct', /expected orgname-account_name/],
    ['myorg-1account', /expected orgname-account_name/],
    ['my_org-acct', /expected orgname-account_name/],
    ['prod', /locators such as xy12345 contain digits/],
    ['12345', /starts with a letter/],
    ['xy_12345', /starts with a letter and contains only letters and digits/],
    ['myorg-acct.global-x', /only "\.privatelink"/],
    ['xy12345.global', /not a Snowflake region id|hyphen/],
    ['x'.repeat(64) + '1', /longer than 63/],
    ['a1.' + 'b-c.'.repeat(70) + 'aws', /longer than 255/],
  ];
  for (const [input, reason] of rejected) {
    test(JSON.stringify(input), () => {
      assert.throws(
        () => parseAccountIdentifier(input),
        (error: unknown) => {
          assert.ok(error instanceof AccountIdentifierError);
          assert.equal(error.code, 'ERR_ACCOUNT_IDENTIFIER');
          assert.match(error.message, /^not a Snowflake account identifier: /);
          assert.match(error.message, reason);
          return true;
        },
      );
    });
  }

  test('every accepted host ends with .snowflakecomputing.com and has no other separators', () => {
    for (const input of ['myorg-a_b', 'xy12345.us-east-2.aws', 'xy12345-abc.global', 'myorg-a.privatelink']) {
      const { host } = parseAccountIdentifier(input);
      assert.match(host, /^[a-z0-9_.-]+\.snowflakecomputing\.com$/);
      assert.equal(new URL(`https://${host}`).hostname, host);
    }
  });
});

describe('parseEndpointOverride', () => {
  const accepted: [input: string, baseUrl: string, host: string, loopback: boolean][] = [
    ['https://myorg-acct.privatelink.snowflakecomputing.com', 'https://myorg-acct.privatelink.snowflakecomputing.com', 'myorg-acct.privatelink.snowflakecomputing.com', false],
    ['https://proxy.internal:8443/', 'https://proxy.internal:8443', 'proxy.internal:8443', false],
    ['https://proxy.internal:443', 'https://proxy.internal', 'proxy.internal', false],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080', '127.0.0.1:8080', true],
    ['http://127.5.6.7:1', 'http://127.5.6.7:1', '127.5.6.7:1', true],
    ['http://localhost:4000', 'http://localhost:4000', 'localhost:4000', true],
    ['http://LOCALHOST:4000', 'http://localhost:4000', 'localhost:4000', true],
    ['http://[::1]:4000', 'http://[::1]:4000', '[::1]:4000', true],
    ['https://localhost:4000', 'https://localhost:4000', 'localhost:4000', true],
  ];
  for (const [input, baseUrl, host, loopback] of accepted) {
    test(`accepts ${input}`, () => {
      assert.deepEqual(parseEndpointOverride(input), { baseUrl, host, loopback });
    });
  }

  const rejected: [input: string, reason: RegExp][] = [
    ['', /empty/],
    ['http://example.com', /http is only allowed for loopback/],
    ['http://10.0.0.1:8080', /http is only allowed for loopback/],
    ['http://localhost.evil.com', /http is only allowed for loopback/],
    ['http://127.0.0.1.nip.io', /http is only allowed for loopback/],
    ['http://[::ffff:127.0.0.1]', /http is only allowed for loopback/],
    ['https://user:hunter22@example.com', /credentials in the URL are not allowed/],
    ['https://user@example.com', /credentials in the URL are not allowed/],
    ['http://user:pw@127.0.0.1', /credentials/],
    ['https://example.com/?a=1', /query string/],
    ['https://example.com/?', /query string/],
    ['https://example.com/#x', /fragment/],
    ['https://example.com/api/v2', /path is not allowed/],
    ['ftp://example.com', /scheme must be https/],
    ['file:///etc/passwd', /scheme must be https/],
    ['example.com', /not an absolute URL/],
    ['https://exa mple.com', /whitespace/],
    ['https://example.com\n', /whitespace/],
    ['https://exa\u0007mple.com', /control characters/],
  ];
  for (const [input, reason] of rejected) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseEndpointOverride(input),
        (error: unknown) => {
          assert.ok(error instanceof AccountIdentifierError);
          assert.equal(error.code, 'ERR_ENDPOINT');
          assert.match(error.message, reason);
          // The URL may hold credentials: it is never repeated.
          assert.doesNotMatch(error.message, /hunter22|user:/);
          return true;
        },
      );
    });
  }

  test('isLoopbackHostname', () => {
    assert.equal(isLoopbackHostname('localhost'), true);
    assert.equal(isLoopbackHostname('127.0.0.1'), true);
    assert.equal(isLoopbackHostname('127.255.255.254'), true);
    assert.equal(isLoopbackHostname('[::1]'), true);
    assert.equal(isLoopbackHostname('128.0.0.1'), false);
    assert.equal(isLoopbackHostname('localhost.localdomain'), false);
    assert.equal(isLoopbackHostname('0.0.0.0'), false);
  });
});
