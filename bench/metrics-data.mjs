// Synthetic metrics data written straight into local D1 (not through HTTP): SQL that generates the rows
// inside SQLite with recursive CTEs, so 1,000,000 events take one short file. Deterministic: multiplicative
// hashes of the row number pick times, channels and stages.
export const METRICS_PLAN = { leads: 50_000, events: 1_000_000, days: 90, vitalsPercent: 3, timeZone: 'America/New_York' }

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
update leads set
  event_count = (select count(*) from events where site_id = '${siteId}' and anonymous_id = 'a_' || substr(leads.id, 4)),
  last_seen = max(first_seen, coalesce((select max(ts) from events where site_id = '${siteId}' and anonymous_id = 'a_' || substr(leads.id, 4)), first_seen))
where site_id = '${siteId}';
`
}
