/**
 * Checks a transcript byte for byte: every line valid JSON, `seq` 0, 1, 2… without gaps,
 * and every `hash` equal to sha256(previous hash + the line without its hash field).
 * Any edit, deletion or reordering breaks the chain at the first line it touches.
 */
import { TRANSCRIPT_VERSION, chainHash, splitHash } from './format.js';
import { contractProblem } from './contract.js';
import { sidecarProblem, type RecordedSidecar } from './sidecar.js';
import { isEventShaped, notATranscript, transcriptLineBatches, transcriptLinesSync, type RawLine } from './lines.js';

/** The last event of a record that has no `run.finished` after its last start or resume. */
export interface Unfinished {
  seq: number;
  type: string;
  cell?: string;
  ts: string;
}

export type VerifyResult =
  | { ok: true; events: number; runs: string[]; lastSeq: number; warnings: string[]; unfinished?: Unfinished }
  /** `contract`: the chain holds, but the line is not a v1 event (contract.ts). */
  | { ok: false; line: number; reason: string; contract?: true };

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

/** The chain, then every closed sidecar against its recorded byte count and sha256. */
export async function verifyTranscript(path: string): Promise<VerifyResult> {
  const checker = new ChainChecker(path);
  lines: for await (const batch of transcriptLineBatches(path)) for (const raw of batch) if (!checker.feed(raw)) break lines;
  const { result } = checker.finish();
  if (!result.ok) return result;
  for (const sidecar of checker.sidecars) {
    const problem = await sidecarProblem(path, sidecar);
    if (problem) return { ok: false, line: sidecar.line, reason: problem };
  }
  for (const open of checker.openSidecars) {
    result.warnings.push(`sidecar ${open} was never closed (the run ended while writing it: killed, or its disk full): its contents are not covered by the chain`);
  }
  return result;
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
  private failure?: { line: number; reason: string; contract?: true };
  /** The run id lines must carry: the first line's, changed only by a `run.resumed`. */
  private currentRun?: string;
  private last?: Unfinished;
  private finished = false;
  /** Sidecars with a `cell.output.closed`, to check once the chain holds. */
  readonly sidecars: RecordedSidecar[] = [];
  private readonly spilled = new Set<string>();

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
    const record = event as Record<string, unknown>;
    const problem = contractProblem(record);
    if (problem) return this.fail(raw.number, `${String(record.type)}: ${problem}`, true);
    const spliced = this.splice(record);
    if (spliced) return this.fail(raw.number, spliced);
    this.last = { seq: expected, type: event.type, ts: record.ts as string, ...(typeof record.cell === 'string' ? { cell: record.cell } : {}) };
    this.noteSidecar(record, raw.number);
    if (event.type === 'run.finished') this.finished = true;
    else if (event.type === 'run.started' || event.type === 'run.resumed') this.finished = false;
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
    const unfinished = this.last && !this.finished ? { unfinished: this.last } : {};
    return { ...this.state, result: { ok: true, events: lastSeq + 1, runs: [...this.runs], lastSeq, warnings: this.warnings, ...unfinished } };
  }

  /** Spilled sidecars that no `cell.output.closed` covers. */
  get openSidecars(): string[] {
    return [...this.spilled];
  }

  private noteSidecar(event: Record<string, unknown>, line: number): void {
    const path = event.path as string;
    if (event.type === 'cell.output.spilled') this.spilled.add(path);
    if (event.type !== 'cell.output.closed') return;
    this.spilled.delete(path);
    this.sidecars.push({ line, path, bytes: event.bytes as number, sha256: event.sha256 as string });
  }

  /**
   * Two records joined into one and re-hashed chain perfectly; what gives them away is
   * the run: one `run.started`, on the first line, and lines of another run id only
   * after a `run.resumed` of that run.
   */
  private splice(event: Record<string, unknown>): string | undefined {
    const run = event.run as string;
    if (event.type === 'run.started' && this.currentRun !== undefined) {
      return `a second run.started (run ${run}): another record was joined onto this one`;
    }
    if (this.currentRun !== undefined && run !== this.currentRun && event.type !== 'run.resumed') {
      return `run ${run} is not the run of the lines before (${this.currentRun}) and no run.resumed of it came first: lines of another record were spliced in`;
    }
    this.currentRun = run;
    this.runs.add(run);
    this.state.firstRun ??= run;
    return undefined;
  }

  private fail(line: number, reason: string, contract?: true): false {
    this.failure = contract ? { line, reason, contract } : { line, reason };
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
