/** Signals to a cell's process tree, by the platform's own means (see the two files it picks from). */
import { platform } from './platform.js';
import { signalTreePosix, treeAlivePosix } from './tree-signals-posix.js';
import { signalTreeWin32, treeAliveWin32 } from './tree-signals-win32.js';

/** `id` is the process group on POSIX, the tree's root pid on Windows: both are the leader's pid. */
export function signalTree(id: number, signal: NodeJS.Signals): void {
  if (platform() === 'win32') signalTreeWin32(id, signal);
  else signalTreePosix(id, signal);
}

export function treeAlive(id: number): boolean {
  return platform() === 'win32' ? treeAliveWin32(id) : treeAlivePosix(id);
}
