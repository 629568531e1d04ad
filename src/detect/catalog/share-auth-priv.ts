// The sharing, authentication, privilege and posture detections of the catalog (SF-12 to SF-24), in catalog order.
import type { Detection } from '../types.ts';
import { authBruteForce } from './auth/brute-force.ts';
import { authDormantUserLogin } from './auth/dormant-user-login.ts';
import { authNewClientApplication } from './auth/new-client-application.ts';
import { authPasswordSpray } from './auth/password-spray.ts';
import { authSuspiciousLogin } from './auth/suspicious-login.ts';
import { postureTrustCenterFindings } from './posture/trust-center-findings.ts';
import { privGrantToPublic } from './priv/grant-to-public.ts';
import { privIdentityChange } from './priv/identity-change.ts';
import { privPrivilegedGrant } from './priv/privileged-grant.ts';
import { privSecurityPolicyChanged } from './priv/security-policy-changed.ts';
import { shareAccountsAdded } from './share/share-accounts-added.ts';
import { shareCreated } from './share/share-created.ts';
import { shareListingChanged } from './share/listing-changed.ts';
import { shareObjectsGranted } from './share/share-objects-granted.ts';
import { shareReaderAccountCreated } from './share/reader-account-created.ts';
import { shareUnapprovedConsumer } from './share/unapproved-consumer.ts';

export const SHARE_AUTH_PRIV_DETECTIONS: readonly Detection[] = [
  shareCreated, // SF-12
  shareAccountsAdded, // SF-12
  shareObjectsGranted, // SF-12
  shareUnapprovedConsumer, // SF-13
  shareReaderAccountCreated, // SF-14
  shareListingChanged, // SF-15
  authSuspiciousLogin, // SF-16
  privPrivilegedGrant, // SF-17
  authBruteForce, // SF-18
  authPasswordSpray, // SF-18
  authDormantUserLogin, // SF-19
  authNewClientApplication, // SF-20
  privSecurityPolicyChanged, // SF-21
  privIdentityChange, // SF-22
  privGrantToPublic, // SF-23
  postureTrustCenterFindings, // SF-24
];
