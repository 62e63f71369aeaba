// The custom search attributes mars2 registers in its namespace and upserts from workflows, so that the
// Web UI and `temporal workflow list --query` can filter runs. SQL visibility allows few of each type
// (temporal.md §0 fact 15): keep this list short.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUN_ID = defineSearchAttributeKey('Mars2RunId', SearchAttributeType.KEYWORD);
export const KIND = defineSearchAttributeKey('Mars2Kind', SearchAttributeType.KEYWORD);
export const ITERATION = defineSearchAttributeKey('Mars2Iteration', SearchAttributeType.INT);
export const PASS_AT_1 = defineSearchAttributeKey('Mars2Pass1', SearchAttributeType.DOUBLE);

export const ALL_SEARCH_ATTRIBUTES = [RUN_ID, KIND, ITERATION, PASS_AT_1] as const;
