/**
 * `a`: a cell typed in the console. The prompt takes several lines: for SQL, enter runs
 * once the text ends with `;` (psql's rule, so a pasted query runs whole); for a shell,
 * enter runs unless the line ends with a continuation (`\`, PowerShell's backtick).
 * Enter on an empty line runs what is there. Tab changes the language, ctrl-e opens the
 * text in $EDITOR (what you save runs), esc drops it.
 */
import type { Lang } from '../../engine/runbook.js';
import type { ControllerDeps, PromptKey } from './controller-deps.js';
import type { ConsoleState, Prompt } from './state.js';
import { languageOf } from '../../engine/lang/language.js';

type Deps = Pick<ControllerDeps, 'store' | 'operator' | 'edit'>;

const LANG_NAMES: Record<Lang, string> = { sql: 'SQL', sh: 'shell', powershell: 'PowerShell' };

/** The languages an ad-hoc cell can have here, the default first: SQL against the run's target, when it has one. */
export function adhocLangs(state: ConsoleState): Lang[] {
  return state.target && state.target.kind !== 'none' ? ['sql', 'sh', 'powershell'] : ['sh', 'powershell'];
}

export function adhocPrompt(state: ConsoleState, at: string, lang: Lang, text = ''): Omit<Prompt, 'masked'> & { masked: false } {
  const language = languageOf(lang);
  const against = language.runsIn === 'database' ? ` against ${state.target?.name ?? 'the target'}` : ' in the run\'s session';
  const runs = 'ends' in language.entry ? `enter after ${language.entry.ends} runs` : `enter runs (${language.entry.continues} at the end continues)`;
  return {
    kind: 'adhoc',
    cell: at,
    lang,
    label: `Ad-hoc ${LANG_NAMES[lang]} at ${at}${against}:`,
    text,
    masked: false,
    keys: `${runs} · tab language · ctrl-e $EDITOR · esc drops it`,
  };
}

/** Whether enter runs the text now, or starts a new line. */
export function enterRuns(text: string, lang: Lang): boolean {
  if (!text.trim()) return false;
  const lines = text.split('\n');
  if ((lines[lines.length - 1] ?? '').trim() === '') return true;
  const end = text.trimEnd();
  const { entry } = languageOf(lang);
  return 'ends' in entry ? end.endsWith(entry.ends) : !end.endsWith(entry.continues);
}

export function adhocKey(deps: Deps, state: ConsoleState, prompt: Prompt, input: string, key: PromptKey): void {
  const { store } = deps;
  const lang = prompt.lang ?? 'sql';
  if (key.escape) {
    store.dispatch({ type: 'ui.prompt.close' });
    return store.dispatch({ type: 'ui.flash', text: 'ad-hoc cell dropped' });
  }
  if (key.tab) {
    const langs = adhocLangs(state);
    const next = langs[(langs.indexOf(lang) + 1) % langs.length] ?? lang;
    return store.dispatch({ type: 'ui.prompt.open', prompt: adhocPrompt(state, prompt.cell ?? '', next, prompt.text) });
  }
  if (key.ctrl && input === 'e') return void inEditor(deps, prompt, lang);
  if (key.backspace || key.delete) return store.dispatch({ type: 'ui.prompt.erase' });
  if (key.return) {
    if (enterRuns(prompt.text, lang)) return submit(deps, prompt, lang, prompt.text);
    return store.dispatch({ type: 'ui.prompt.input', text: '\n' });
  }
  if (input && !key.ctrl && !key.meta) store.dispatch({ type: 'ui.prompt.input', text: input.replace(/\r/g, '') });
}

async function inEditor(deps: Deps, prompt: Prompt, lang: Lang): Promise<void> {
  if (!deps.edit) return deps.store.dispatch({ type: 'ui.flash', text: 'no editor here' });
  const saved = await deps.edit({ id: prompt.cell ? `adhoc-at-${prompt.cell}` : 'adhoc', source: prompt.text, lang });
  if (saved === undefined || !saved.trim()) return deps.store.dispatch({ type: 'ui.prompt.refused', error: 'the editor saved nothing new: type here, or esc' });
  submit(deps, prompt, lang, saved);
}

function submit(deps: Deps, prompt: Prompt, lang: Lang, text: string): void {
  const { store, operator } = deps;
  const source = text.replace(/\s+$/, '');
  store.dispatch({ type: 'ui.prompt.close' });
  if (!operator.adhoc(lang, source, prompt.cell)) store.dispatch({ type: 'ui.flash', text: 'the console is not asking about a cell now: the ad-hoc cell did not run' });
}
