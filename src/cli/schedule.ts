// `mars2 schedule eval|list|delete`: periodic evaluations on a Temporal Schedule (DESIGN §2).
// The schedule `eval-<run>` starts a runEvaluation workflow every DURATION; each firing plans
// at run time, so it evaluates the run's newest checkpoints. Overlap BUFFER_ONE: a firing while one is
// running waits (at most one waits), none runs twice at once. A stack that was down does not fire a
// backlog (catch-up window one minute). Scheduling the same run again updates the schedule in place.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import { join } from 'node:path';
import type { RunEvaluationInput } from '../contracts';
import { runLayout } from '../store/layout';
import { runEvaluation } from '../workflows';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { EVAL_FLAGS, evalOverrides } from './eval';
import { withClient } from './withClient';

const usage = `usage: mars2 schedule eval --every DURATION --run RUN [--problems N] [--budget N] [--modes M[,M]] [--int8] [--json]
       mars2 schedule list [--json]
       mars2 schedule delete SCHEDULE_ID
  DURATION: e.g. 30m, 2h, 1d (at least 1s)`;

export const scheduleEvalCommand: Command = {
  name: 'schedule eval',
  summary: "evaluate a run's newest weights every DURATION (a Temporal Schedule)",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { every: { type: 'string' }, run: { type: 'string' }, ...EVAL_FLAGS, json: { type: 'boolean' } });
    if (!values.every) throw new UsageError('expected --every DURATION (e.g. 30m, 2h)');
    if (!values.run) throw new UsageError('expected --run RUN (a training run id; list them with: mars2 runs)');
    let every: number | undefined;
    try {
      every = msOptionalToNumber(values.every as `${number}s`);
    } catch {
      throw new UsageError(`--every expects a duration such as 30m, 2h or 1d, got '${values.every}'`);
    }
    if (every === undefined || every < 1000) throw new UsageError(`--every must be at least 1s, got '${values.every}'`);
    const input: RunEvaluationInput = { runId: values.run, ...evalOverrides(values) };
    const scheduleId = `eval-${values.run}`;
    return withClient(async (client, cfg) => {
      const action = {
        type: 'startWorkflow' as const,
        workflowType: runEvaluation,
        args: [input] as [RunEvaluationInput],
        taskQueue: cfg.taskQueue,
        workflowId: `${values.run}-scheduled-eval`,
      };
      let created = true;
      try {
        await client.schedule.create({
          scheduleId,
          spec: { intervals: [{ every }] },
          action,
          policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 minute' },
          memo: { runId: values.run },
        });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        created = false;
        await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec: { intervals: [{ every }] }, action }));
      }
      const desc = await client.schedule.getHandle(scheduleId).describe();
      const next = desc.info.nextActionTimes[0]?.toISOString() ?? null;
      if (values.json) console.log(JSON.stringify({ scheduleId, created, every, runId: values.run, nextActionTime: next }));
      else {
        console.log(`${created ? 'created' : 'updated'} schedule ${scheduleId}: evaluate run ${values.run} every ${values.every}${next ? `, next at ${next}` : ''}`);
        console.log(`  results: ${runLayout(join(cfg.home, 'store'), values.run!).evaluations}    stop it: mars2 schedule delete ${scheduleId}`);
      }
      return 0;
    });
  },
};

export const scheduleListCommand: Command = {
  name: 'schedule list',
  summary: 'list the Temporal Schedules (periodic evaluations) with their next firing',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } });
    return withClient(async (client) => {
      const rows: { scheduleId: string; paused: boolean; nextActionTime: string | null; recentActions: number }[] = [];
      for await (const s of client.schedule.list()) {
        rows.push({
          scheduleId: s.scheduleId,
          paused: s.state.paused,
          nextActionTime: s.info.nextActionTimes[0]?.toISOString() ?? null,
          recentActions: s.info.recentActions.length,
        });
      }
      rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
      if (values.json) console.log(JSON.stringify({ schedules: rows }));
      else if (rows.length === 0) console.log('no schedules; create one with: mars2 schedule eval --every 1h --run RUN');
      else for (const r of rows) console.log(`${r.scheduleId}  ${r.paused ? 'paused' : 'active'}  next ${r.nextActionTime ?? '-'}  recent firings ${r.recentActions}`);
      return 0;
    });
  },
};

export const scheduleDeleteCommand: Command = {
  name: 'schedule delete',
  summary: 'delete a Temporal Schedule (running evaluations finish)',
  usage,
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, true);
    if (positionals.length !== 1) throw new UsageError(`expected one schedule id, found ${positionals.length}`);
    const [scheduleId] = positionals;
    return withClient(async (client) => {
      try {
        await client.schedule.getHandle(scheduleId).delete();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw new UserError(`no schedule '${scheduleId}'; list them with: mars2 schedule list`);
        throw err;
      }
      console.log(`deleted schedule ${scheduleId}`);
      return 0;
    });
  },
};
