// Seeded tasks and task history for the Snowflake emulator (demo and tests). Deterministic for a seed and `now`.
import type { TaskHistorySeed, TaskSeed } from './snowflake/emulator.js';
import { seededRandom } from './databricks-data.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NAMES = ['LOAD_ORDERS', 'REFRESH_DIM_CUSTOMER', 'BUILD_DAILY_SALES', 'PURGE_STAGING', 'SNAPSHOT_INVENTORY', 'MERGE_EVENTS'];
export const TASK_SECRET_QUERY = "COPY INTO raw.orders FROM @s3_stage CREDENTIALS=(AWS_KEY_ID='AKIAEXAMPLEKEY000001' AWS_SECRET_KEY='task-query-secret')";

export interface TaskDataOptions {
  now: Date;
  seed: number;
  tasks: number;
  /** Runs in all (attempts included). */
  runs: number;
  days: number;
  database?: string;
}

export function generateSnowflakeTaskData(o: TaskDataOptions): { tasks: TaskSeed[]; history: TaskHistorySeed[] } {
  const rnd = seededRandom(o.seed);
  const db = o.database ?? 'ETL';
  const now = o.now.getTime();
  const tasks: TaskSeed[] = Array.from({ length: Math.max(2, o.tasks) }, (_, i) => ({
    id: `01b2c3d4-0000-${String(1000 + i)}-0000-00000000${String(i).padStart(4, '0')}`,
    name: `${NAMES[i % NAMES.length]}${i >= NAMES.length ? `_${i}` : ''}`,
    database_name: db,
    schema_name: i % 2 ? 'CORE' : 'STAGING',
    owner: 'ETL_ROLE',
    warehouse: 'TRANSFORM_WH',
    schedule: i % 3 === 0 ? 'USING CRON 0 * * * * UTC' : `${15 + (i % 4) * 15} MINUTE`,
    // The second task failed and was suspended (SUSPEND_TASK_AFTER_NUM_FAILURES): every later run is gone.
    state: i === 1 ? 'suspended' : 'started',
    definition: TASK_SECRET_QUERY,
    condition: i % 5 === 4 ? "SYSTEM$STREAM_HAS_DATA('orders_stream')" : null,
    predecessors: '[]',
  }));
  const history: TaskHistorySeed[] = [];
  const span = o.days * DAY;
  for (let i = 0; history.length < o.runs; i++) {
    const t = tasks[i % tasks.length]!;
    const scheduled = now - Math.floor(((i + 1) / (o.runs + 1)) * span);
    const r = rnd();
    let state = 'SUCCEEDED';
    let error: { code: number; message: string } | null = null;
    if (i === 0) state = 'EXECUTING';
    else if (i === 1) state = 'FAILED_AND_AUTO_SUSPENDED';
    else if (i === 2) state = 'SKIPPED';
    else if (i === 3) state = 'CANCELLED';
    else if (r < 0.08) state = 'FAILED';
    if (state.startsWith('FAILED')) error = { code: 100038, message: "Numeric value 'N/A' is not recognized\n  File 'orders_2026-11-20.csv', line 4182, character 17" };
    const started = state === 'SKIPPED' ? scheduled + 1000 : scheduled + 2000;
    const completed = state === 'EXECUTING' ? null : started + Math.floor(5_000 + rnd() * 20 * MIN);
    const group = `${scheduled.toString(16)}-${i}`;
    const base: TaskHistorySeed = {
      query_id: state === 'SKIPPED' ? null : `01b8${String(i).padStart(8, '0')}-0000-7a4e-0000-0001${String(i % 10000).padStart(8, '0')}`,
      name: t.name,
      database_name: db,
      schema_name: t.schema_name,
      query_text: TASK_SECRET_QUERY,
      condition_text: t.condition,
      state,
      error_code: error?.code ?? null,
      error_message: error?.message ?? null,
      scheduled_time: new Date(scheduled),
      query_start_time: new Date(started),
      completed_time: completed === null ? null : new Date(completed),
      root_task_id: t.id,
      graph_version: 1,
      run_id: scheduled,
      scheduled_from: 'SCHEDULE',
      attempt_number: 1,
      graph_run_group_id: group,
    };
    history.push(base);
    // An automatic retry of a failed slot: same run id and group, the next attempt, which succeeds.
    if (state === 'FAILED' && history.length < o.runs) {
      history.push({ ...base, query_id: `${base.query_id ?? 'q'}-r`, state: 'SUCCEEDED', error_code: null, error_message: null, attempt_number: 2, scheduled_from: 'AUTOMATIC RETRY', query_start_time: new Date(completed! + 60_000), completed_time: new Date(completed! + 120_000) });
    }
  }
  return { tasks, history };
}

/**
 * Several databases in one account, as TASK_HISTORY sees it: each database's tasks and runs, with ids made unique
 * across databases (a query id, task id and graph run group belong to one task in Snowflake).
 */
export function generateSnowflakeAccountData(o: Omit<TaskDataOptions, 'database'> & { databases: readonly string[] }): { tasks: TaskSeed[]; history: TaskHistorySeed[] } {
  const tasks: TaskSeed[] = [];
  const history: TaskHistorySeed[] = [];
  o.databases.forEach((database, d) => {
    const one = generateSnowflakeTaskData({ ...o, seed: o.seed + d, database });
    const tag = `-${d}`;
    tasks.push(...one.tasks.map((t) => ({ ...t, id: `${t.id}${tag}` })));
    history.push(...one.history.map((h) => ({ ...h, query_id: h.query_id === null ? null : `${h.query_id}${tag}`, root_task_id: `${h.root_task_id}${tag}`, graph_run_group_id: `${h.graph_run_group_id}${tag}` })));
  });
  return { tasks, history };
}
