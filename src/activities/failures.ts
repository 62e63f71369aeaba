// How bad input leaves an activity (DESIGN §5): a ThreadError whose code is bad input (bad sampling, a
// prompt over the context, a missing model, a bad request) or a LayoutError (a run id or agent name that
// cannot name a folder) becomes a non-retryable ApplicationFailure whose type names the code and whose
// message names the field; every other error (a dead worker thread, an ORT fault) is rethrown as it is,
// retryable.
import { ApplicationFailure } from '@temporalio/activity';
import { ThreadError, type ThreadErrorCode } from '../models/threadRpc';
import { LayoutError } from '../store/layout';

const FAILURE_TYPE: Partial<Record<ThreadErrorCode, string>> = {
  bad_request: 'BadRequest',
  bad_sampling: 'BadSampling',
  prompt_too_long: 'PromptTooLong',
  model_missing: 'ModelNotFound',
};

const LAYOUT_FAILURE: Record<LayoutError['code'], string> = { bad_run_id: 'BadRunId', bad_agent: 'BadAgentName', bad_version: 'BadVersion' };

/** Rethrows `err`, as a non-retryable failure (prefixed with `context`, when given) when it is bad input. */
export function rethrowInputError(err: unknown, context?: string): never {
  const at = (message: string) => (context ? `${context}: ${message}` : message);
  if (err instanceof ThreadError && err.badInput) throw ApplicationFailure.nonRetryable(at(err.message), FAILURE_TYPE[err.code] ?? 'BadRequest');
  if (err instanceof LayoutError) throw ApplicationFailure.nonRetryable(at(err.message), LAYOUT_FAILURE[err.code]);
  throw err;
}
