// The stable ids of the built-in detections, one per entry of the catalog (SF-01 to SF-24, docs/detections.md; some
// catalog rows cover several ids).
// They appear in metric labels, log attributes, alert names and runbook anchors, so they never change once released.
// Configuration validates detection names against this list so that a typo cannot silently disable a detection.
export const BUILT_IN_DETECTION_IDS = [
  'mfa.password_user_without_mfa', // SF-01
  'mfa.admin_without_mfa', // SF-02
  'mfa.password_login_without_mfa', // SF-03
  'mfa.service_user_password_login', // SF-04
  'mfa.bypass_active', // SF-05
  'exfil.stage_chain', // SF-06 (UNC5537)
  'exfil.unload_external_location', // SF-07
  'exfil.result_volume_spike', // SF-08
  'exfil.cross_region_egress', // SF-09
  'exfil.guardrail_disabled', // SF-10
  'exfil.protection_policy_removed', // SF-11
  'share.created', // SF-12
  'share.accounts_added', // SF-12
  'share.objects_granted', // SF-12
  'share.unapproved_consumer', // SF-13
  'share.reader_account_created', // SF-14
  'share.listing_changed', // SF-15
  'auth.suspicious_login', // SF-16
  'priv.privileged_grant', // SF-17
  'auth.brute_force', // SF-18
  'auth.password_spray', // SF-18
  'auth.dormant_user_login', // SF-19
  'auth.new_client_application', // SF-20
  'priv.security_policy_changed', // SF-21
  'priv.identity_change', // SF-22
  'priv.grant_to_public', // SF-23
  'posture.trust_center_findings', // SF-24
] as const;

export type BuiltInDetectionId = (typeof BUILT_IN_DETECTION_IDS)[number];

/** Shape every detection id (built-in or custom) must have: `family.name`, lower case. */
export const DETECTION_ID_PATTERN = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;
