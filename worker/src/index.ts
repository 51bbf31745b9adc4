// The Worker: HTTP, the JOBS queue consumer (and, in later capabilities, the cron trigger).
import { app } from './app'
import { consumeJobs } from './queue/consumer'
import type { Job } from './queue/jobs'

export default {
  fetch: app.fetch,
  queue: consumeJobs,
} satisfies ExportedHandler<Env, Job>
