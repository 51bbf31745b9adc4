// The Worker: HTTP, the JOBS queue consumer and the cron trigger.
import { app } from './app'
import { consumeJobs } from './queue/consumer'
import { runScheduled } from './queue/cron'
import type { Job } from './queue/jobs'

export default {
  fetch: app.fetch,
  queue: consumeJobs,
  scheduled: runScheduled,
} satisfies ExportedHandler<Env, Job>
