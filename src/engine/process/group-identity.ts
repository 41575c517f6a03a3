/**
 * Who a process group is, beyond its number: pids are reused, so `cell.started` records
 * the group's leader start (boot id and /proc/<pid>/stat field 22, the start time in
 * clock ticks since boot) beside the pgid. A later `resume` asks whether that group is
 * still alive: members with that pgid exist, and the process with the leader's pid (if
 * it is still there) started at the recorded time. Linux can tell; elsewhere only the
 * pgid is recorded and checked.
 */
import { procBootId, procCommandLine, procIsZombie, procStartTicks } from './proc-posix.js';
import { groupMembers } from './group-members.js';

export interface GroupIdentity {
  pgid: number;
  /** `<boot id>:<start ticks>` of the group's leader; absent where /proc cannot say. */
  leaderStart?: string;
}

export interface LiveProcess {
  pid: number;
  command: string;
}

/** The group as it is now, read while its leader is alive (the cell's gate holds it). */
export function identifyGroup(pgid: number): GroupIdentity {
  const start = processStart(pgid);
  return start ? { pgid, leaderStart: start } : { pgid };
}

/**
 * The live processes of a recorded group; none when the group is gone, or when its pgid
 * now names another group (a reused pid that started later, or a reboot since).
 */
export function liveMembers(group: GroupIdentity): LiveProcess[] {
  if (group.leaderStart) {
    const [boot] = group.leaderStart.split(':');
    const nowBoot = procBootId();
    if (nowBoot && boot !== nowBoot) return [];
    const leader = processStart(group.pgid);
    // The leader's pid is taken by a process that started at another time: while any member of our group lived, it could not be.
    if (leader && leader !== group.leaderStart) return [];
  }
  // A zombie runs nothing: it waits for a parent to reap it (in a container, pid 1 may never do so).
  return groupMembers(group.pgid)
    .filter((pid) => !isZombie(pid))
    .map((pid) => ({ pid, command: commandOf(pid) }));
}

function isZombie(pid: number): boolean {
  // Gone (or no /proc, where ps listed it): on Linux gone counts as not running.
  return procIsZombie(pid) ?? process.platform === 'linux';
}

function processStart(pid: number): string | undefined {
  const boot = procBootId();
  const ticks = boot ? procStartTicks(pid) : undefined;
  return ticks ? `${boot}:${ticks}` : undefined;
}

/** The command line as `ps` shows it, shortened; the process name when there is none. */
function commandOf(pid: number): string {
  const text = procCommandLine(pid) ?? '?';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
