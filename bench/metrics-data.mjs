// Synthetic metrics data written straight into local D1 (not through HTTP): SQL that generates the rows
// inside SQLite with recursive CTEs, so 1,000,000 events take one short file. Deterministic: multiplicative
// hashes of the row number pick times, channels and stages.
export const METRICS_PLAN = { leads: 50_000, events: 1_000_000, messages: 60_000, days: 90, vitalsPercent: 3, timeZone: 'America/New_York' }

const DAY = 86_400_000
const hash = (column, multiplier) => `((${column} * ${multiplier}) % 4294967296)`

/** The site row plus leads, their browsers, stage history and events for `plan`. */
export function metricsSeedSql({ siteId, siteKey, now, plan = METRICS_PLAN }) {
  const start = now - plan.days * DAY
  const capped = (expression) => `min(${now}, ${expression})`
  const stage = `case when band < 40 then 'visitor' when band < 55 then 'returning' when band < 75 then 'lead' when band < 85 then 'mql'
    when band < 90 then 'sql' when band < 97 then 'customer' when band < 99 then 'repeat' else 'lost' end`
  const source = (ch) => `case when ${ch} < 3 then 'google' when ${ch} = 3 then 'facebook' when ${ch} = 4 then 'newsletter' when ${ch} < 7 then 'google' when ${ch} < 9 then '(direct)' else 'linkedin.com' end`
  const medium = (ch) => `case when ${ch} < 3 then 'cpc' when ${ch} = 3 then 'paid_social' when ${ch} = 4 then 'email' when ${ch} < 7 then 'organic' when ${ch} < 9 then '(none)' else 'referral' end`
  const campaign = (ch) => `case when ${ch} < 2 then 'black-friday' when ${ch} < 4 then 'brand' else null end`
  const touch = (ch, at) => `json_object('source', ${source(ch)}, 'medium', ${medium(ch)}, 'campaign', ${campaign(ch)}, 'at', ${at})`
  const leadsCte = `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${plan.leads - 1}),
    l as (select i, ${start} + ${hash('i', 2654435761)} % ${(plan.days - 2) * DAY} as fs, i % 100 as band, (i * 7) % 10 as ch from n)`
  return `
insert into sites (id, key, name, origins, settings) values ('${siteId}', '${siteKey}', 'Metrics bench', '[]', '${JSON.stringify({ timeZone: plan.timeZone })}');
insert into leads (id, site_id, first_seen, last_seen, sessions, event_count, first_touch, last_touch, stage, stage_changed_at, purchases, revenue, rfm, email)
${leadsCte}
select 'ld_' || i, '${siteId}', fs, fs, 1, 0, ${touch('ch', 'fs')}, ${touch('(ch + band) % 10', 'fs')}, ${stage},
  case when band >= 40 then ${capped(`fs + (i % 5 + i % 11) * ${DAY} + 14400000`)} end,
  case when band >= 97 and band < 99 then 2 when band >= 90 then 1 else 0 end,
  case when band >= 90 then 50 + i % 1000 else 0 end,
  case when band >= 90 then json_object('recency', 3, 'frequency', 1, 'monetary', 2, 'segment',
    case i % 4 when 0 then 'champions' when 1 then 'loyal' when 2 then 'new' else 'at_risk' end) end,
  case when band >= 55 then 'u' || i || '@bench.test' end
from l;
insert into visitors (site_id, anonymous_id, lead_id, first_seen)
select '${siteId}', 'a_' || substr(id, 4), id, first_seen from leads where site_id = '${siteId}';
insert into lead_changes (site_id, lead_id, kind, "from", "to", at)
${leadsCte}
select '${siteId}', 'ld_' || i, 'stage', 'visitor', 'returning', ${capped('fs + 7200000')} from l where band >= 40
union all select '${siteId}', 'ld_' || i, 'stage', 'returning', 'lead', ${capped(`fs + (i % 5) * ${DAY} + 10800000`)} from l where band >= 55
union all select '${siteId}', 'ld_' || i, 'stage', 'lead', case when band < 99 then ${stage} else 'customer' end, ${capped(`fs + (i % 5 + i % 11) * ${DAY} + 14400000`)} from l where band >= 75;
insert into lead_changes (site_id, lead_id, kind, "from", "to", at)
select '${siteId}', id, 'stage', 'customer', 'lost', ${capped(`first_seen + 40 * ${DAY}`)} from leads where site_id = '${siteId}' and stage = 'lost';
insert into events (site_id, event_id, type, name, anonymous_id, ts, received_at, data)
with recursive n(i) as (select 0 union all select i + 1 from n where i < ${plan.events - 1}),
e as (select i, ${hash('i', 2246822519)} % ${plan.leads} as lead, i % 100 as kind from n),
t as (select e.*, l.first_seen + ${hash('e.i', 3266489917)} % max(1, ${now} - l.first_seen) as ts from e join leads l on l.id = 'ld_' || e.lead)
select '${siteId}', 'e_' || i, case when kind < ${plan.vitalsPercent} then 'track' else 'page' end,
  case when kind < ${plan.vitalsPercent} then 'Web Vitals' when kind < 20 then '/pricing' else '/' end,
  'a_' || lead, ts, ts,
  case when kind < ${plan.vitalsPercent} then json_object('metric', case kind % 3 when 0 then 'LCP' when 1 then 'CLS' else 'INP' end,
    'value', i % 3000, 'page', case i % 3 when 0 then '/' when 1 then '/pricing' else '/signup' end, 'experiences', 'none') end
from t;
${messagesSql({ siteId, now, plan })}
update leads set
  event_count = (select count(*) from events where site_id = '${siteId}' and anonymous_id = 'a_' || substr(leads.id, 4)),
  last_seen = max(first_seen, coalesce((select max(ts) from events where site_id = '${siteId}' and anonymous_id = 'a_' || substr(leads.id, 4)), first_seen))
where site_id = '${siteId}';
`
}

/** Three flows and `plan.messages` outbox rows over the window: email (two subject lines on step 0), in-app, webhook, with outcomes. */
function messagesSql({ siteId, now, plan }) {
  const start = now - plan.days * DAY
  const email = (subject) => ({ type: 'email', subject, body: 'Hello' })
  const definition = (n) => JSON.stringify({
    trigger: { type: 'event', match: { type: 'page', path: '/pricing*' } },
    steps: [{ type: 'email', subjects: [`Flow ${n} A`, `Flow ${n} B`], body: 'Hello' }, { type: 'in_app', title: `Flow ${n}` }, n === 2 ? { type: 'webhook', url: 'https://hooks.bench.test/' } : email(`Flow ${n} again`)],
  })
  const flows = [0, 1, 2].map((n) => `('flow_bench_${n}', '${siteId}', 'Bench flow ${n}', 1, '${definition(n)}', 1, ${start}, ${start})`).join(', ')
  if (!plan.messages) return ''
  return `
insert into flows (id, site_id, name, enabled, definition, version, created_at, updated_at) values ${flows};
insert into messages (id, site_id, lead_id, flow_id, enrollment, step, channel, status, "to", subject, content, variant, due_at, expires_at,
  sent_at, opened_at, clicked_at, shown_at, dismissed_at, unsubscribed_at, bounced_at, complained_at, created_at)
with recursive n(i) as (select 0 union all select i + 1 from n where i < ${plan.messages - 1}),
m as (select i, ${start} + ${hash('i', 2654435761)} % ${plan.days * DAY} as t, i % 3 as f, (i / 3) % 3 as s, (i * 7) % 100 as k from n),
c as (select m.*, case when s = 1 then 'in_app' when s = 2 and f = 2 then 'webhook' else 'email' end as ch from m)
select 'msg_bench' || i, '${siteId}', 'ld_' || (i % ${plan.leads}), 'flow_bench_' || f, 1, cast(s as text), ch,
  case when k < 2 then 'failed' when k < 3 then 'suppressed' else 'sent' end, case when ch = 'email' then 'u' || i || '@bench.test' end, 'S',
  json_object('channel', ch), case when s = 0 then cast(i % 2 as text) end, t, t + ${DAY},
  case when k >= 3 then t end,
  case when ch = 'email' and k >= 3 and k < 40 then t + 3600000 end, case when k >= 3 and k < 12 then t + 3700000 end,
  case when ch = 'in_app' and k >= 3 and k < 70 then t + 60000 end, case when ch = 'in_app' and k >= 30 and k < 50 then t + 90000 end,
  case when ch = 'email' and k = 97 then t + ${DAY} end, case when ch = 'email' and k = 98 then t + 600000 end, case when ch = 'email' and k = 99 then t + ${DAY} end,
  t
from c;`
}
