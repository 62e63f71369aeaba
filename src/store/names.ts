// The one validator of run ids and agent names, which name folders of the run layout (layout.ts). Pure:
// the config schema and workflow code use it too.
/** Run ids and agent names: they name folders. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A run id, agent name or policy version that cannot name a folder of the layout. */
export class LayoutError extends Error {
  override name = 'LayoutError';
  constructor(
    readonly code: 'bad_run_id' | 'bad_agent' | 'bad_version',
    message: string,
  ) {
    super(message);
  }
}

/** Why `name` cannot be a run id or agent name, or null when it can. */
export function nameProblem(name: string): string | null {
  return NAME.test(name) ? null : `'${name}' must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (it names a folder)`;
}

export function checkRunId(runId: string): string {
  const why = nameProblem(runId);
  if (why) throw new LayoutError('bad_run_id', `bad run id: ${why}`);
  return runId;
}

export function checkAgent(agent: string): string {
  const why = nameProblem(agent);
  if (why) throw new LayoutError('bad_agent', `bad agent name: ${why}`);
  return agent;
}
