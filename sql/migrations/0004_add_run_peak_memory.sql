-- Peak resident memory of the process that ran the task, in MB, as the task ends (ru_maxrss).
-- Under a worker that starts one process per task it is the task's own peak; in dag.test(),
-- where every task shares one process, it is the process's peak so far.
ALTER TABLE pipeline_runs ADD COLUMN peak_rss_mb real;
