// The generated Env (worker-configuration.d.ts, `npm run types`) with what wrangler cannot know: the JOBS
// queue carries Jobs, and INGEST_MODE may be set to `queue` per environment.
interface Env {
  JOBS: Queue<import('./queue/jobs').Job>
  INGEST_MODE: 'direct' | 'queue'
  /** The public host's URL (e.g. https://cairn.example.com): install snippets load the SDK from it. */
  PUBLIC_URL?: string
}
