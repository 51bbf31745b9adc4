// `npm run deps`: the Worker's imports run one way — routes → services → domain / db — with no cycles.
/** @type {import('dependency-cruiser').IDependencyCruiserConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Import cycles hide which module owns a rule.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ is pure functions over data: no D1, no routes, no use cases, no queue.',
      from: { path: '^worker/src/domain/' },
      to: { path: '^worker/src/(db|routes|services|queue|http)/' },
    },
    {
      name: 'db-below-services',
      severity: 'error',
      comment: 'db/ holds schema and small named queries; use cases call it, not the other way.',
      from: { path: '^worker/src/db/' },
      to: { path: '^worker/src/(services|routes|queue)/' },
    },
    {
      name: 'services-below-routes',
      severity: 'error',
      comment: 'services/ are use cases; routes call them.',
      from: { path: '^worker/src/services/' },
      to: { path: '^worker/src/routes/' },
    },
    {
      name: 'queue-below-routes',
      severity: 'error',
      comment: 'The queue consumer and cron run use cases, never HTTP routes.',
      from: { path: '^worker/src/queue/' },
      to: { path: '^worker/src/routes/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$|worker-configuration\\.d\\.ts$' },
  },
}
