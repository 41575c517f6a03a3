/** How renderers show spans of time and instants: short, and always UTC. */

/** `120 ms`, `3.2 s`, `2 min 5 s`, `1 h 4 min`. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** `+0:01.234`, `+12:05.000`, `+1:02:03.000`: time since the run started, to the millisecond. */
export function elapsedClock(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.abs(Math.round(ms));
  const millis = String(total % 1000).padStart(3, '0');
  const seconds = Math.floor(total / 1000);
  const ss = String(seconds % 60).padStart(2, '0');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${sign}${minutes}:${ss}.${millis}`;
  return `${sign}${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${ss}.${millis}`;
}

/** `2026-01-02 03:04:05.123 UTC`. */
export function utcStamp(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}
