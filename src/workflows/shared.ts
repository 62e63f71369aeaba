// Queries and signals shared by workflows and the clients that call them (STYLE 1).
import { defineQuery } from '@temporalio/workflow';
import type { NodeSummary, RunProgress } from '../contracts';

/** A search tree's nodes so far, in creation order (live while it runs, all of them once it is done). */
export const treeQuery = defineQuery<NodeSummary[]>('tree');

export const progressQuery = defineQuery<RunProgress>('progress');
