/**
 * Setup of the `unit-win32` project: every pure test runs again with `platform()` reporting
 * win32, so the Windows branches of the seams (lookup, quoting, editor, tree stop) are taken by
 * the same assertions. Nothing here spawns a process: it proves the code's choices, not Windows.
 */
import { reportPlatform } from '../../src/engine/process/platform.js';

reportPlatform('win32');
