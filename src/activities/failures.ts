// How engine and trainer errors leave an activity (DESIGN §5): a ThreadError whose code is bad input
// (bad sampling, a prompt over the context, a missing model, a bad request) becomes a non-retryable
// ApplicationFailure whose type names the code and whose message names the field; every other error
// (a dead worker thread, an ORT fault) is rethrown as it is, retryable.
import { ApplicationFailure } from '@temporalio/activity';
import { ThreadError, type ThreadErrorCode } from '../models/threadRpc';

const FAILURE_TYPE: Partial<Record<ThreadErrorCode, string>> = {
  bad_request: 'BadRequest',
  bad_sampling: 'BadSampling',
  prompt_too_long: 'PromptTooLong',
  model_missing: 'ModelNotFound',
};

/** Rethrows `err`, as a non-retryable failure prefixed with `context` when it is bad input. */
export function rethrowInputError(err: unknown, context: string): never {
  if (err instanceof ThreadError && err.badInput) {
    throw ApplicationFailure.nonRetryable(`${context}: ${err.message}`, FAILURE_TYPE[err.code] ?? 'BadRequest');
  }
  throw err;
}
