/**
 * Transcript v1 (see DESIGN.md): the append-only, hash-chained JSONL record of a run.
 * Writer, reader and verifier live in ./transcript/; this module only re-exports.
 */
export { TranscriptWriter, type TranscriptWriterOptions } from './transcript/writer.js';
export { isKnownEvent, readTranscript, streamTranscript, type ReadOptions, type TranscriptContents } from './transcript/reader.js';
export { verifyTranscript, type VerifyResult } from './transcript/verify.js';
export { defaultTranscriptPath, sidecarPathFor } from './transcript/paths.js';
export { serializeLine, sha256Hex, TRANSCRIPT_VERSION } from './transcript/format.js';
export { lockPathFor } from './transcript/lock.js';
