// Local D1: applies migrations/ and seeds the demo site (idempotent upserts), for `npm start` and the
// browser tests. `persistTo` keeps test state apart from the developer's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOCAL_WRANGLER_ENV, run } from './run.mjs'

const sqlString = (value) => `'${String(value).replaceAll("'", "''")}'`

/** The demo's score rules (the issue's example: pricing 10 ×3, signup 25, budget ≥ $5,000 20, careers −20). */
const DEMO_RULES = [
  { id: 'rule_demo_pricing', name: 'Viewed pricing', points: 10, limit: 3, match: { type: 'page', path: '/pricing*' } },
  { id: 'rule_demo_signup', name: 'Signed up', points: 25, match: { type: 'track', event: 'Signed Up' } },
  { id: 'rule_demo_demo', name: 'Requested a demo', points: 30, match: { type: 'track', event: 'Demo Requested' } },
  {
    id: 'rule_demo_budget',
    name: 'Budget over $5,000',
    points: 20,
    match: { type: 'identify', where: [{ field: 'traits.budget', op: 'gte', value: 5000 }] },
  },
  { id: 'rule_demo_help', name: 'Read help articles', points: 2, limit: 5, expiresDays: 30, match: { type: 'page', path: '/help/*' } },
  { id: 'rule_demo_careers', name: 'Careers visitor', points: -20, match: { type: 'page', path: '/careers*' } },
]

/** The demo's ad-to-page message match: the Black Friday ads land on a matching hero. */
const DEMO_EXPERIENCES = [
  {
    id: 'exp_demo_blackfriday',
    name: 'Black Friday ads',
    priority: 10,
    goal: 'Signed Up',
    control: 10,
    match: { path: '/', utm: { campaign: 'black-friday' } },
    variants: [
      {
        id: 'var_demo_deal',
        name: 'Deal',
        weight: 100,
        slots: {
          headline: 'Black Friday: {{utm_term|CRM}} at 40% off',
          subheadline: 'Every plan is 40% off until Monday. Set up in minutes, cancel any time.',
          cta: 'Claim the deal',
        },
      },
    ],
  },
]

/** Enabled demo flows (from the templates): a known lead viewing pricing twice gets a banner and an email. */
const DEMO_FLOWS = [
  {
    id: 'flow_demo_pricing',
    name: 'Pricing follow-up',
    template: 'pricing-follow-up',
    definition: {
      trigger: { type: 'event', match: { type: 'page', path: '/pricing*' }, count: { gte: 2, withinDays: 7 } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      goal: { type: 'track', event: 'Purchased' },
      reentry: { type: 'cooldown', days: 30 },
      steps: [
        { type: 'in_app', kind: 'banner', title: 'Questions about pricing?', body: 'A 15-minute call answers most of them.', cta: { label: 'Book a demo', url: '/demo' } },
        { type: 'email', subject: 'Your pricing questions', body: 'Hi {{lead.traits.firstName|there}},\n\nYou looked at our plans twice. Reply with any question, or book a demo.' },
      ],
    },
  },
  {
    id: 'flow_demo_course',
    name: 'Knowledge-base mini course',
    template: 'kb-mini-course',
    definition: {
      trigger: { type: 'event', match: { type: 'track', event: 'Signed Up' } },
      filter: [{ field: 'lead.email', op: 'exists' }],
      reentry: { type: 'once' },
      steps: [
        { type: 'email', subject: 'Lesson 1: import your contacts', body: 'Hi {{lead.traits.firstName|there}},\n\nLesson 1 of 3.' },
        { type: 'wait', seconds: 172800 },
        { type: 'email', subject: 'Lesson 2: build your first pipeline', body: 'Lesson 2 of 3.' },
      ],
    },
  },
  {
    id: 'flow_demo_support',
    name: 'Proactive support after 4 help pages',
    template: 'proactive-support',
    definition: {
      trigger: { type: 'event', match: { type: 'page', path: '/help*' }, count: { gte: 4, withinDays: 1 } },
      filter: [],
      reentry: { type: 'cooldown', days: 7 },
      steps: [{ type: 'in_app', kind: 'banner', title: 'Stuck? Chat with support', body: 'A person answers within minutes.', cta: { label: 'Contact support', url: '/help/' } }],
    },
  },
]

const DEMO_ADS = [
  ['Black Friday', 'CRM deals', 'BF CRM 40%', 'CRM at 40% off this Black Friday', ['black friday crm', 'crm deal'], 'black-friday', 'crm'],
  ['Black Friday', 'CRM deals', 'BF pipeline', 'Pipeline software, 40% off', ['pipeline software', 'sales pipeline'], 'black-friday', 'pipeline software'],
  ['Brand', 'Acme', 'Acme official', 'Acme CRM: the official site', ['acme crm', 'acme'], 'brand', 'acme'],
]

export function demoSeedSql({ port, demoRules = true }) {
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  const site = {
    id: 'site_demo',
    key: 'pk_demo',
    name: 'Acme CRM (demo)',
    origins: JSON.stringify(origins),
    // Edge mode serves the demo on the public host (localhost), never on the admin host (127.0.0.1).
    origin: `http://localhost:${port}`,
    hostnames: '[]',
    // A demo is driven by end-to-end suites (headless browsers): it accepts automated traffic, as a staging
    // site would; a new site ignores it unless its settings say so.
    settings: JSON.stringify({ postalAddress: 'Acme Inc., 1 Demo Street, Springfield', acceptAutomated: true }),
  }
  return `insert into sites (id, key, name, origins, origin, hostnames, settings)
values (${[site.id, site.key, site.name, site.origins, site.origin, site.hostnames, site.settings].map(sqlString).join(', ')})
on conflict (id) do update set key = excluded.key, name = excluded.name, origins = excluded.origins,
  origin = excluded.origin, updated_at = cast(unixepoch('subsecond') * 1000 as integer);
${(demoRules ? DEMO_RULES : []).map(
  (r) => `insert into score_rules (id, site_id, name, points, "limit", expires_days, match)
values (${[r.id, site.id, r.name].map(sqlString).join(', ')}, ${r.points}, ${r.limit ?? 'null'}, ${r.expiresDays ?? 'null'}, ${sqlString(JSON.stringify(r.match))})
on conflict (id) do nothing;`,
).join('\n')}
${(demoRules ? DEMO_EXPERIENCES : []).map(
  (e) => `insert into experiences (id, site_id, name, priority, goal, control, match, variants)
values (${[e.id, site.id, e.name].map(sqlString).join(', ')}, ${e.priority}, ${sqlString(e.goal)}, ${e.control}, ${sqlString(JSON.stringify(e.match))}, ${sqlString(JSON.stringify(e.variants))})
on conflict (id) do nothing;`,
).join('\n')}
${(demoRules ? DEMO_FLOWS : []).map(
  (f) => `insert into flows (id, site_id, name, enabled, definition, template_id)
values (${[f.id, site.id, f.name].map(sqlString).join(', ')}, 1, ${sqlString(JSON.stringify(f.definition))}, ${sqlString(f.template)})
on conflict (id) do nothing;`,
).join('\n')}
${(demoRules ? DEMO_ADS : []).map(
  ([campaign, adGroup, name, headline, keywords, utmCampaign, term], i) => `insert into ads (id, site_id, campaign, ad_group, name, headline, keywords, final_url)
values (${[`ad_demo_${i}`, site.id, campaign, adGroup, name, headline, JSON.stringify(keywords), `http://localhost:${port}/?utm_source=google&utm_medium=cpc&utm_campaign=${utmCampaign}&utm_term=${encodeURIComponent(term)}`].map(sqlString).join(', ')})
on conflict (site_id, campaign, ad_group, name) do nothing;`,
).join('\n')}
`
}

export async function prepareLocalDb({ cwd, port, persistTo, quiet = false, demoRules = true }) {
  const persist = persistTo ? ['--persist-to', persistTo] : []
  await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'cairn', '--local', ...persist], {
    cwd,
    quiet,
    env: { ...LOCAL_WRANGLER_ENV, CI: 'true' }, // CI: no interactive confirmation
  })
  const dir = mkdtempSync(join(tmpdir(), 'cairn-seed-'))
  const file = join(dir, 'seed.sql')
  writeFileSync(file, demoSeedSql({ port, demoRules }))
  try {
    await run('npx', ['wrangler', 'd1', 'execute', 'cairn', '--local', '--file', file, ...persist], { cwd, quiet, env: LOCAL_WRANGLER_ENV })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
