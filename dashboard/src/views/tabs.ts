// A site's tabs, in order (the first is a site's landing view).
export const SITE_TABS = [
  { key: 'overview', label: 'Overview' },
  { key: 'leads', label: 'Leads' },
  { key: 'scoring', label: 'Scoring' },
  { key: 'experiences', label: 'Experiences' },
  { key: 'ads', label: 'Ads' },
  { key: 'flows', label: 'Flows' },
  { key: 'outbox', label: 'Outbox' },
  { key: 'settings', label: 'Settings' },
] as const

export type TabKey = (typeof SITE_TABS)[number]['key']
