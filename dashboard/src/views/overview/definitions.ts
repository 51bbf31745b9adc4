// The one-line definition of every number the overview shows: the same text as the README's "Metrics"
// table, kept here once so each tooltip and the README say the same thing.
export const DEFINITIONS = {
  entered: 'People who reached the step in the range.',
  current: 'People whose stage is this step now (not limited to the range).',
  conversionToNext: 'Of the people who reached the step in the range, the share who have reached the next step by now.',
  medianDaysInStage: 'Median whole days from reaching the step to reaching the next one, for people who reached it in the range and moved on.',
  afterJourney: 'Customers at risk / lost now (default preset).',
  visitors: 'People whose first visit was in the range, by the channel of their first (or last) touch.',
  leads: 'People who reached lead in the range (AIDA: desire; AARRR: activation).',
  mqls: 'People who reached mql in the range (— when the preset has no such step).',
  customers: 'People who reached customer in the range (AIDA: action; AARRR: revenue).',
  revenue: 'Lifetime revenue of the people who became customers in the range.',
  visitorToLead: 'Leads ÷ visitors of the same channel and range; — when there are no visitors.',
  leadToMql: 'MQLs ÷ leads of the same channel and range; — when there are no leads.',
  mqlToCustomer: 'Customers ÷ MQLs of the same channel and range (leads when the preset has no MQL); — when the base is 0.',
  visitorToCustomer: 'Customers ÷ visitors of the same channel and range; — when there are no visitors.',
  stages: 'People first seen in the range, by their current stage (the channel × lifecycle-stage matrix).',
  segments: 'People who became customers in the range, by their current RFM segment.',
  toLead: 'Whole days from first touch to reaching lead, for people reaching it in the range (median, p75, p90 by nearest rank).',
  toCustomer: 'Whole days from first touch to reaching customer, for people reaching it in the range (median, p75, p90 by nearest rank).',
  trendVisitors: 'Distinct browsers with at least one event that local day (or ISO week, Monday first; each browser once per week).',
  newLeads: 'People reaching lead that day or week (in the range).',
  trendMqls: 'People reaching mql that day or week (in the range).',
  trendCustomers: 'People reaching customer that day or week (in the range).',
  churned: 'Customers whose latest move to lost fell that day or week.',
  leadVelocity: 'MQLs (leads when the preset has none) reaching the step this month vs the month before: (this − last) ÷ last.',
  messages: 'Sent, delivered, opened, clicked, unsubscribed, bounced, complained per flow, step and subject variant.',
  experiences: 'Exposures and goal conversions per variant and control, by first exposure in the range.',
  delta: 'Change against the previous period of the same length, just before the range.',
} as const

export type Term = keyof typeof DEFINITIONS
