/**
 * The channel between the executor and the long-lived pwsh session (host.ps1): a local socket
 * that Node listens on and only the host connects to, the same code on every OS. On Windows
 * it is a named pipe `\\.\pipe\runbook-<random>`; elsewhere a Unix domain socket in the run's
 * private scratch directory (mkdtemp: 0700). The host opens either with .NET's
 * NamedPipeClientStream, which on Unix takes an absolute pipe name as the socket's path as is
 * (a bare name would become `$TMPDIR/CoreFxPipe_<name>`).
 *
 * Why not the alternatives:
 * - fds 3 and 4 (what this replaced): .NET on Windows cannot open an inherited descriptor
 *   beyond stdio, so Windows got a pwsh per cell — no state between cells, no parser.
 * - frames on the child's stdin/stdout: the cells' native commands inherit pwsh's stdin (a
 *   `psql`, `ssh` or `pause` would eat request frames) and write raw to its stdout (a partial
 *   line from one would split an event frame). Here the cells' stdin stays /dev/null (NUL),
 *   their raw output stays on stdout/stderr, and nothing a cell prints reaches the channel.
 * Measured on Linux with pwsh 7.6.9: the host's connect and first line take ~10-20 ms of a
 * pwsh start of ~400 ms; the bench's PowerShell row is in the commit that made the change.
 *
 * Who may speak: the first connection whose first line is the run's nonce (32 random bytes,
 * handed to the host in its environment, which the host drops before any cell runs), compared
 * in constant time. A connection that says anything else is closed; once the host is in,
 * the listener closes and any connection still waiting is closed, so nothing else can join.
 * On POSIX the 0700 directory already keeps other users out; on Windows the pipe's default
 * ACL lets other local accounts open it for reading, and the nonce is what keeps them out
 * (nothing is written to a connection before its nonce). Node creates the pipe's first
 * instance exclusively (libuv: FILE_FLAG_FIRST_PIPE_INSTANCE), so a random name nobody could
 * know in advance cannot be held by another process first. The host does not ask .NET's
 * CurrentUserOnly: an elevated Node's pipe is owned by Administrators, not the user, and the
 * host would refuse it.
 *
 * Frames both ways are lines: JSON has no raw newline, so a newline ends a frame.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { platform } from './platform.js';

/** The environment variable that hands the nonce to the host. */
export const NONCE_VARIABLE = 'RUNBOOK_SESSION_NONCE';

/** Linux's sun_path holds 108 bytes, macOS's 104, both with the terminating NUL. */
const SOCKET_PATH_MAX = 100;

export interface ChannelAddress {
  /** What Node listens on. */
  listen: string;
  /** What the host hands NamedPipeClientStream: the pipe's name on Windows, the socket's path elsewhere. */
  host: string;
  /** A directory made only for the socket (its usual one had too long a path): removed with the channel. */
  ownDir?: string;
}

/**
 * Where the channel listens. `dir` is the run's private scratch directory; a path too long
 * for sun_path moves to a short private directory of its own under /tmp.
 */
export function channelAddress(dir: string, tag = randomBytes(12).toString('hex')): ChannelAddress {
  if (platform() === 'win32') {
    const name = `runbook-${process.pid}-${tag}`;
    return { listen: `\\\\.\\pipe\\${name}`, host: name };
  }
  const path = join(dir, 'host.sock');
  if (Buffer.byteLength(path) <= SOCKET_PATH_MAX) return { listen: path, host: path };
  const ownDir = mkdtempSync('/tmp/runbook-');
  const short = join(ownDir, 'host.sock');
  return { listen: short, host: short, ownDir };
}

/**
 * Splits a stream's text into lines, keeping the unfinished one. Only the new chunk is
 * searched for the newline, so a frame of many megabytes costs one pass, not one per chunk.
 */
export class LineFrames {
  private parts: string[] = [];
  private held = 0;

  constructor(private readonly emit: (line: string) => void) {}

  /** Characters held for the unfinished line. */
  get pending(): number {
    return this.held;
  }

  push(chunk: string): void {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf('\n', start)) >= 0) {
      const tail = chunk.slice(start, newline);
      const line = this.parts.length ? this.parts.join('') + tail : tail;
      this.parts = [];
      this.held = 0;
      start = newline + 1;
      this.emit(line);
    }
    if (start < chunk.length) {
      this.parts.push(chunk.slice(start));
      this.held += chunk.length - start;
    }
  }
}

export interface ChannelEvents {
  /** One line from the host, after its nonce. */
  frame(line: string): void;
  /** The channel could not listen: no host will ever join. */
  failed(reason: string): void;
  /** The host's connection closed (the host left, or died). */
  closed(): void;
}

export class HostChannel {
  readonly address: ChannelAddress;
  /** For the host's environment only: never logged, never in argv (other users can read a command line). */
  readonly nonce = randomBytes(32).toString('hex');
  private readonly server: Server;
  private readonly waiting = new Set<Socket>();
  private host: Socket | undefined;
  private queued: string[] = [];
  private held = true;
  private ended = false;

  constructor(dir: string, private readonly events: ChannelEvents) {
    this.address = channelAddress(dir);
    this.server = createServer((socket) => this.onConnection(socket));
    this.server.on('error', (error) => this.events.failed(`could not listen on ${this.address.listen}: ${error.message}`));
    this.server.listen(this.address.listen);
  }

  /** Sends one frame (a line without its newline); frames sent before the host is in wait for it. */
  send(line: string): void {
    if (this.ended) return;
    if (this.host) this.host.write(`${line}\n`);
    else this.queued.push(line);
  }

  /** No more frames: the host reads the end and leaves. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.host?.end();
    this.stopListening();
  }

  /** Whether the channel keeps the CLI alive (a cell or a parse is under way) or not (idle). */
  hold(hold: boolean): void {
    this.held = hold;
    for (const handle of [this.server, this.host, ...this.waiting]) {
      if (hold) handle?.ref();
      else handle?.unref();
    }
  }

  private onConnection(socket: Socket): void {
    if (this.host || this.ended) {
      socket.destroy();
      return;
    }
    if (!this.held) socket.unref();
    this.waiting.add(socket);
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    let first = '';
    const refuse = () => {
      this.waiting.delete(socket);
      socket.destroy();
    };
    const onData = (chunk: string) => {
      first += chunk;
      const newline = first.indexOf('\n');
      // The nonce is 64 characters: a longer first line is not the host's.
      if (newline < 0) {
        if (first.length > this.nonce.length + 2) refuse();
        return;
      }
      socket.off('data', onData);
      if (!sameText(first.slice(0, newline).replace(/\r$/, ''), this.nonce)) {
        refuse();
        return;
      }
      this.waiting.delete(socket);
      this.accept(socket, first.slice(newline + 1));
    };
    socket.on('data', onData);
    socket.on('close', () => this.waiting.delete(socket));
  }

  private accept(socket: Socket, rest: string): void {
    this.host = socket;
    this.stopListening();
    const frames = new LineFrames((line) => this.events.frame(line));
    socket.on('data', (chunk: string) => frames.push(chunk));
    socket.on('close', () => this.events.closed());
    for (const line of this.queued) socket.write(`${line}\n`);
    this.queued = [];
    if (this.ended) socket.end();
    if (rest) frames.push(rest);
  }

  private stopListening(): void {
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
    this.server.close();
    if (this.address.ownDir) rmSync(this.address.ownDir, { recursive: true, force: true });
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
