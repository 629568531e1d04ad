// Data-sharing stories: a share created, granted objects and exposed to an unapproved consumer (SF-12, SF-13), a
// reader account (SF-14) and a listing (SF-15). The long-standing approved shares live in baseline.ts.
import type { Row } from '../types.ts';
import type { IncidentModule } from './module.ts';

const SHARE = 'PARTNER_FEED_SHARE';
const CONSUMER = 'ACMEPARTNER.ANALYTICS_PROD';

export function grantToShareRow(at: Date, privilege: string, grantedOn: string, objectName: string, database: string, schema: string | null, share: string): Row {
  return {
    CREATED_ON: at.toISOString(),
    MODIFIED_ON: at.toISOString(),
    DELETED_ON: null,
    PRIVILEGE: privilege,
    GRANTED_ON: grantedOn,
    OBJECT_NAME: objectName,
    OBJECT_DATABASE: database,
    OBJECT_SCHEMA: schema,
    SHARE_NAME: share,
    GRANTED_BY: 'SHARING_ADMIN',
    GRANTED_BY_ROLE_TYPE: 'ROLE',
  };
}

export const shareExposure: IncidentModule = {
  kind: 'share_exposure',
  cast: () => [
    { name: 'AMOREAU', firstName: 'Alice', lastName: 'Moreau', kind: 'person_mfa', roles: ['SHARING_ADMIN'], workload: 'analyst', clients: ['snowsight'], active: true },
  ],
  build(script, ctx) {
    // First attempt under the wrong role fails: reported apart from the successful creation.
    const wrongRole = script.usualSession('AMOREAU', script.hoursBeforeEnd(16.4), 'PUBLIC');
    const failed = script.query(wrongRole, {
      text: `CREATE SHARE ${SHARE}`,
      type: 'CREATE',
      status: 'FAIL',
      errorCode: 3001,
      errorMessage: `SQL access control error:\nInsufficient privileges to operate on account '${ctx.accountName}'`,
    });
    script.incident({ kind: 'share_exposure', detectionId: 'share.created', user: 'AMOREAU', object: SHARE, time: failed.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [failed.queryId], description: 'FAILED attempt to create an outbound share (insufficient privileges): to be reported apart from successful creations.', attributes: { executionStatus: 'FAIL' } });

    const session = script.usualSession('AMOREAU', script.hoursBeforeEnd(16), 'SHARING_ADMIN');
    // Leading comments and line breaks: a regex anchored at the start or without the `s` flag misses this one.
    const create = script.query(session, {
      text: `-- Quarterly partner feed (ticket DATA-4711)\n/* reviewed: pending */\nCREATE SHARE\n  ${SHARE}\n  COMMENT = 'Partner analytics feed'`,
      type: 'CREATE',
      access: { ddl: { objectDomain: 'Share', objectName: SHARE, objectId: 9001, operationType: 'CREATE', properties: { secureObjectsOnly: { value: true } } } },
    });
    script.incident({ kind: 'share_exposure', detectionId: 'share.created', user: 'AMOREAU', object: SHARE, time: create.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [create.queryId], description: 'Outbound share created (multi-line DDL with leading comments).', attributes: { executionStatus: 'SUCCESS' } });

    const grants = [
      { text: `GRANT USAGE ON DATABASE SALES TO SHARE ${SHARE}`, privilege: 'USAGE', on: 'DATABASE', name: 'SALES', schema: null },
      { text: `GRANT USAGE ON SCHEMA SALES.PUBLIC TO SHARE ${SHARE}`, privilege: 'USAGE', on: 'SCHEMA', name: 'PUBLIC', schema: null },
      { text: `GRANT SELECT ON TABLE SALES.PUBLIC.CUSTOMERS\n  TO SHARE ${SHARE}`, privilege: 'SELECT', on: 'TABLE', name: 'CUSTOMERS', schema: 'PUBLIC' },
    ];
    for (const grant of grants) {
      const q = script.query(session, {
        text: grant.text,
        type: 'GRANT',
        access: { ddl: { objectDomain: grant.on === 'TABLE' ? 'Table' : grant.on === 'SCHEMA' ? 'Schema' : 'Database', objectName: grant.on === 'TABLE' ? 'SALES.PUBLIC.CUSTOMERS' : grant.on === 'SCHEMA' ? 'SALES.PUBLIC' : 'SALES', operationType: 'GRANT', properties: { privileges: { value: [grant.privilege] }, grantedTo: { value: SHARE }, grantedToDomain: { value: 'Share' } } } },
      });
      script.add('GRANTS_TO_SHARES', grantToShareRow(q.end, grant.privilege, grant.on, grant.name, 'SALES', grant.schema, SHARE));
      script.incident({ kind: 'share_exposure', detectionId: 'share.objects_granted', user: 'AMOREAU', object: SHARE, time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `${grant.privilege} on ${grant.on} ${grant.name} granted to share ${SHARE}.` });
    }

    const add = script.query(session, {
      text: `/* go-live */\nALTER SHARE ${SHARE}\n  ADD ACCOUNTS = ${CONSUMER}`,
      type: 'ALTER',
      access: { ddl: { objectDomain: 'Share', objectName: SHARE, objectId: 9001, operationType: 'ALTER', properties: { accountsToAdd: { value: [CONSUMER] } } } },
    });
    script.incident({ kind: 'share_exposure', detectionId: 'share.accounts_added', user: 'AMOREAU', object: SHARE, time: add.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [add.queryId], description: `Consumer account ${CONSUMER} added to share ${SHARE}.`, attributes: { accounts: CONSUMER } });

    script.add('SHARES', {
      CREATED_ON: create.end.toISOString(),
      MODIFIED_ON: add.end.toISOString(),
      DELETED_ON: null,
      NAME: SHARE,
      OWNER: 'SHARING_ADMIN',
      COMMENT: 'Partner analytics feed',
      DATABASE_NAME: 'SALES',
      SECURE_OBJECTS_ONLY: true,
      TARGET_ACCOUNTS: CONSUMER,
      LISTING_GLOBAL_NAME: null,
    });
    script.incident({ kind: 'share_exposure', detectionId: 'share.unapproved_consumer', type: 'posture', user: 'AMOREAU', object: SHARE, time: add.end, evidenceView: 'SHARES', evidenceIds: [SHARE], description: `Outbound share ${SHARE} is shared with ${CONSUMER}, which is not on the approved-consumer list.`, attributes: { consumer: CONSUMER } });
  },
};

export const readerAccount: IncidentModule = {
  kind: 'reader_account',
  cast: () => [],
  build(script) {
    const session = script.usualSession('MROSSI', script.hoursBeforeEnd(12), 'ACCOUNTADMIN');
    const show = script.query(session, { text: 'SHOW MANAGED ACCOUNTS', type: 'SHOW', rowsProduced: 0 });
    const q = script.query(session, {
      text: "CREATE MANAGED ACCOUNT PARTNER_READER_01\n  ADMIN_NAME = 'partner_admin',\n  ADMIN_PASSWORD = '****',\n  TYPE = READER,\n  COMMENT = 'reader for a partner without Snowflake'",
      type: 'CREATE',
    });
    script.incident({ kind: 'reader_account', detectionId: 'share.reader_account_created', user: 'MROSSI', object: 'PARTNER_READER_01', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: 'Reader (managed) account PARTNER_READER_01 created.' });
    script.nearMiss({ detectionId: 'share.reader_account_created', user: 'MROSSI', evidenceView: 'QUERY_HISTORY', evidenceIds: [show.queryId], why_not: 'SHOW MANAGED ACCOUNTS only lists reader accounts.' });
  },
};

export const listing: IncidentModule = {
  kind: 'listing',
  cast: () => [
    { name: 'EWEBER', firstName: 'Emil', lastName: 'Weber', kind: 'person_mfa', roles: ['SHARING_ADMIN'], workload: 'analyst', clients: ['snowsight'], active: true },
  ],
  build(script) {
    const session = script.usualSession('EWEBER', script.hoursBeforeEnd(10.5), 'SHARING_ADMIN');
    const show = script.query(session, { text: 'SHOW LISTINGS', type: 'SHOW', rowsProduced: 0 });
    const create = script.query(session, {
      text: 'CREATE EXTERNAL LISTING MARKET_INSIGHTS\n  SHARE MARKET_INSIGHTS_SHARE AS\n$$\ntitle: "Market insights"\nsubtitle: "Daily revenue by region"\ndescription: "Aggregated revenue for partners"\nlisting_terms:\n  type: "OFFLINE"\ntargets:\n  accounts: ["ACMEPARTNER.ANALYTICS_PROD"]\n$$\nPUBLISH = FALSE REVIEW = FALSE',
      type: 'CREATE',
    });
    const publish = script.query(session, { text: 'ALTER LISTING MARKET_INSIGHTS PUBLISH', type: 'ALTER' });
    script.incident({ kind: 'listing', detectionId: 'share.listing_changed', user: 'EWEBER', object: 'MARKET_INSIGHTS', time: create.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [create.queryId], description: 'External listing MARKET_INSIGHTS created.', attributes: { change: 'create' } });
    script.incident({ kind: 'listing', detectionId: 'share.listing_changed', user: 'EWEBER', object: 'MARKET_INSIGHTS', time: publish.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [publish.queryId], description: 'Listing MARKET_INSIGHTS published.', attributes: { change: 'alter' } });
    script.nearMiss({ detectionId: 'share.listing_changed', user: 'EWEBER', evidenceView: 'QUERY_HISTORY', evidenceIds: [show.queryId], why_not: 'SHOW LISTINGS reads, it does not change a listing.' });
  },
};
