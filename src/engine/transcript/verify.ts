/**
 * Checks a transcript byte for byte: every line valid JSON, `seq` 0, 1, 2… without gaps,
 * and every `hash` equal to sha256(previous hash + the line without its hash field).
 * Any edit, deletion or reordering breaks the chain at the first line it touches.
 */
import { TRANSCRIPT_VERSION, chainHash, splitHash } from './format.js';
import { isEventShaped, notATranscript, transcriptLines, transcriptLinesSync, type RawLine } from './lines.js';

export type VerifyResult =
  | { ok: true; events: number; runs: string[]; lastSeq: number; warnings: string[] }
  | { ok: false; line: number; reason: string };

/** What the writer needs to continue a chain: verification's by-product. */
export interface ChainState {
  result: VerifyResult;
  lastSeq: number;
  lastHash: string;
  firstRun?: string;
  /** Bytes up to and including the last good line; a torn tail starts here. */
  goodBytes: number;
  /** The last good line has no newline after it (one must be written before appending). */
  missingNewline: boolean;
}

export async function verifyTranscript(path: string): Promise<VerifyResult> {
  const checker = new ChainChecker(path);
  for await (const raw of transcriptLines(path)) if (!checker.feed(raw)) break;
  return checker.finish().result;
}

/** The same check, synchronously, for the writer continuing a chain. */
export function scanChainSync(path: string): ChainState {
  const checker = new ChainChecker(path);
  for (const raw of transcriptLinesSync(path)) if (!checker.feed(raw)) break;
  return checker.finish();
}

/** A line parsed once by a reader that also verifies: the value, or `undefined` when it is not JSON. */
export type Parsed = { value: unknown } | undefined;

export class ChainChecker {
  private readonly state: ChainState = { result: { ok: false, line: 0, reason: '' }, lastSeq: -1, lastHash: '', goodBytes: 0, missingNewline: false };
  private readonly runs = new Set<string>();
  private readonly warnings: string[] = [];
  private failure?: { line: number; reason: string };

  constructor(private readonly path: string) {}

  /** False once the check is decided (a failure, or a torn last line). */
  feed(raw: RawLine, parsed: Parsed | 'unparsed' = 'unparsed'): boolean {
    const line = parsed === 'unparsed' ? parse(raw.bytes) : parsed;
    const event = line?.value;
    if (!line) {
      if (!raw.terminated) {
        this.warnings.push(`line ${raw.number} is incomplete (the writer was probably killed mid-line); checked up to line ${raw.number - 1}`);
        return false;
      }
      return this.fail(raw.number, raw.bytes.length === 0 ? 'empty line' : 'not valid JSON');
    }
    if (!isEventShaped(event)) return this.fail(raw.number, 'not an event object with v, seq and type');
    if (event.v !== TRANSCRIPT_VERSION) {
      return this.fail(raw.number, `transcript version ${JSON.stringify(event.v)}; this runbook checks version ${TRANSCRIPT_VERSION}`);
    }
    const expected = this.state.lastSeq + 1;
    if (event.seq !== expected) {
      return this.fail(raw.number, `seq is ${JSON.stringify(event.seq)}, expected ${expected} (a line was deleted, inserted or moved)`);
    }
    const parts = splitHash(raw.bytes);
    if (!parts) return this.fail(raw.number, 'no hash as the last field');
    if (chainHash(this.state.lastHash, parts.head) !== parts.hash) {
      return this.fail(raw.number, 'hash does not match the chain (this line was changed, or one before it)');
    }
    const run = (event as { run?: unknown }).run;
    if (typeof run === 'string') {
      this.runs.add(run);
      this.state.firstRun ??= run;
    }
    this.state.lastSeq = expected;
    this.state.lastHash = parts.hash;
    this.state.goodBytes = raw.end;
    this.state.missingNewline = !raw.terminated;
    return true;
  }

  finish(): ChainState {
    if (this.failure) return { ...this.state, result: { ok: false, ...this.failure } };
    if (this.state.lastSeq < 0 && this.warnings.length === 0) throw notATranscript(this.path, 'the file is empty');
    const { lastSeq } = this.state;
    return { ...this.state, result: { ok: true, events: lastSeq + 1, runs: [...this.runs], lastSeq, warnings: this.warnings } };
  }

  private fail(line: number, reason: string): false {
    this.failure = { line, reason };
    return false;
  }
}

function parse(bytes: Buffer): Parsed {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return undefined;
  }
}
