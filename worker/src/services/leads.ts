// A lead's detail for the admin API: her visitors, recent events, score ledger (with which points have
// lapsed by now, even before the hourly cron marks them) and stage history.
import type { Db } from '../db/client'
import { findLead, leadEvents, scoreBreakdown, stageHistory } from '../db/leads'
import { isActive } from '../domain/scoring'
import { LEAD_EVENTS_SHOWN } from '../limits'

export async function leadDetail(db: Db, siteId: string, leadId: string, now: number, internal = false) {
  const lead = await findLead(db, siteId, leadId)
  if (!lead) return undefined
  const [events, breakdown, history] = await Promise.all([
    leadEvents(db, siteId, lead.anonymousIds, LEAD_EVENTS_SHOWN, internal),
    scoreBreakdown(db, siteId, lead.id),
    stageHistory(db, siteId, lead.id),
  ])
  const ledger = breakdown.map((entry) => ({ ...entry, lapsed: entry.lapsed || !isActive(entry, now) }))
  return { lead, events, ledger, history }
}
