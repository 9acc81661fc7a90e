/**
 * MLPerf compliance tests: TEST06 (Llama-3.1-8B's output consistency) — its audit settings and
 * the verification of its logs.
 *
 * @packageDocumentation
 */
export { TEST06_AUDIT_SETTINGS, test06AuditConfigText, writeScratchTest06AuditConfig } from './test06-audit.js';
export type { ScratchAuditConfig } from './test06-audit.js';
export {
  checkTest06Options,
  formatTest06Verification,
  verifyTest06,
  writeTest06Verification,
} from './test06-verify.js';
export type { Test06CheckResult, Test06Options, Test06Verification } from './test06-verify.js';
