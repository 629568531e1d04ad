// Every built-in detection, in catalog order. The catalog files (one per detection) are written against
// src/detect/types.ts; each catalog helper keeps its own list file, concatenated here.
import type { Detection } from '../types.ts';
import { MFA_EXFIL_DETECTIONS } from './mfa-exfil.ts';
import { SHARE_AUTH_PRIV_DETECTIONS } from './share-auth-priv.ts';

export const BUILT_IN_DETECTIONS: readonly Detection[] = [...MFA_EXFIL_DETECTIONS, ...SHARE_AUTH_PRIV_DETECTIONS];
