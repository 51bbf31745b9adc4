// A site's tabs, in order. Overview, flows and outbox join here (and in registry.tsx) when their APIs land.
export const SITE_TABS = [
  { key: 'leads', label: 'Leads' },
  { key: 'scoring', label: 'Scoring' },
  { key: 'experiences', label: 'Experiences' },
  { key: 'ads', label: 'Ads' },
  { key: 'settings', label: 'Settings' },
] as const

export type TabKey = (typeof SITE_TABS)[number]['key']
