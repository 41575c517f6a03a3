import { defineConfig } from 'vitest/config';

/**
 * Pure tests: the reader, the plan, lint, the reducer, tables, widths, the timeline and the
 * transcript format, on in-memory input (no PostgreSQL, no CLI, no pty, no child process).
 * `npx vitest run --project unit` runs them in seconds. A test file that needs any of those
 * belongs in `system`, which every file not listed here is (the safe default).
 */
const UNIT = [
  'test/parse.test.ts',
  'test/parse-reference.test.ts',
  'test/wild-cells.test.ts',
  'test/gitlab-sessions.test.ts',
  'test/corpus.test.ts',
  'test/statements.test.ts',
  'test/sql-binding-parse-property.test.ts',
  'test/variables.test.ts',
  'test/seed-review.test.ts',
  'test/lint.test.ts',
  'test/plan.test.ts',
  'test/errors-count.test.ts',
  'test/render-vocabulary.test.ts',
  'test/import-circles.test.ts',
  'test/messages.test.ts',
  'test/exit-codes.test.ts',
  'test/table.test.ts',
  'test/display-width.test.ts',
  'test/plain.test.ts',
  'test/timeline.test.ts',
  'test/timeline-cast.test.ts',
  'test/transcript.test.ts',
  'test/transcript-hash.test.ts',
  'test/transcript-schema-types.test.ts',
  'test/replay.test.ts',
  'test/tui-reducer.test.ts',
  'test/tui-jump.test.ts',
  'test/tui-replay.test.ts',
  'test/tui-database-down.test.ts',
  'test/cell-language.test.ts',
];

/** Pure tests of the OS seams; they run in `system` and again in `unit-win32`. */
const PLATFORM_SEAMS = ['test/platform-seams.test.ts', 'test/os-defaults.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but not so many that PostgreSQL and child processes thrash.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT,
          // Pure modules: one thread and one module graph for all files, so the run is not mostly imports.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // The pure tests once more with the platform reported as win32 (test/support/report-win32.ts):
          // what a Windows machine would compute, checked here where no Windows machine exists.
          name: 'unit-win32',
          include: [...UNIT, ...PLATFORM_SEAMS],
          setupFiles: ['test/support/fast-check-seed.ts', 'test/support/report-win32.ts'],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: UNIT,
          // A real PostgreSQL for the run, and dist/ built for the CLI tests.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
