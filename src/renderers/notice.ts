/**
 * A server notice as a line to show: the SQL executor writes each with its severity, as
 * psql does (`NOTICE:  stuck jobs: 3`, `WARNING:  …`, `HINT:  …`), so that is kept as
 * it is; only text that says no severity of its own is called a NOTICE. One prefix, never two.
 */
const SAYS_WHAT_IT_IS = /^(NOTICE|WARNING|INFO|DEBUG\d?|LOG|DETAIL|HINT|CONTEXT|QUERY|ERROR|runbook):/;

export function noticeLine(line: string): string {
  return SAYS_WHAT_IT_IS.test(line) || line === '' ? line : `NOTICE:  ${line}`;
}
