// The MFA (SF-01 to SF-05) and exfiltration (SF-06 to SF-11) detections, in catalog order. exfil.guardrail_disabled
// appears twice on purpose: the change (event rule on ALTER ACCOUNT) and the state (posture rule on SHOW PARAMETERS)
// are one detection id with two kinds.
import type { Detection } from '../types.ts';
import { adminWithoutMfa } from './mfa/admin-without-mfa.ts';
import { mfaBypassActive } from './mfa/bypass-active.ts';
import { passwordLoginWithoutMfa } from './mfa/password-login-without-mfa.ts';
import { passwordUserWithoutMfa } from './mfa/password-user-without-mfa.ts';
import { serviceUserPasswordLogin } from './mfa/service-user-password-login.ts';
import { crossRegionEgress } from './exfil/cross-region-egress.ts';
import { guardrailDisabledChange, guardrailDisabledState } from './exfil/guardrail-disabled.ts';
import { protectionPolicyRemoved } from './exfil/protection-policy-removed.ts';
import { resultVolumeSpike } from './exfil/result-volume-spike.ts';
import { stageChain } from './exfil/stage-chain.ts';
import { unloadExternalLocation } from './exfil/unload-external-location.ts';

export const MFA_EXFIL_DETECTIONS: readonly Detection[] = [
  passwordUserWithoutMfa,
  adminWithoutMfa,
  passwordLoginWithoutMfa,
  serviceUserPasswordLogin,
  mfaBypassActive,
  stageChain,
  unloadExternalLocation,
  resultVolumeSpike,
  crossRegionEgress,
  guardrailDisabledChange,
  guardrailDisabledState,
  protectionPolicyRemoved,
];
