// Which failed logins count as password guesses for brute force and spray: a failed LOGIN whose error is a wrong
// credential or the lock-out it causes. Excluded on purpose: OVERFLOW_FAILURE_EVENTS_ELIDED (a placeholder row, not
// an attempt) and JWT fingerprint mismatches (a misconfigured key-pair client retrying, not a guess).
import type { DetectionParameter } from '../../types.ts';

export const FAILURE_ERRORS_PARAMETER: DetectionParameter = {
  description: 'LOGIN_HISTORY.ERROR_MESSAGE values counted as guessing failures.',
  default: ['INCORRECT_USERNAME_PASSWORD', 'USER_LOCKED_TEMP'],
};
