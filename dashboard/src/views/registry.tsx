// Which component shows which route. A new site view (overview, flows, outbox) is one TAB_VIEWS entry plus
// its tab in tabs.ts; the views own their state, so switching sites remounts them (the `key`).
import type { FC } from 'hono/jsx/dom'
import type { Route } from '../router'
import { AdsView } from './ads'
import { ExperienceEditor } from './experiences/editor'
import { ExperiencesView } from './experiences/list'
import { ResultsView } from './experiences/results'
import { FlowEditor } from './flows/editor'
import { FlowsView } from './flows/list'
import { LeadsView } from './leads'
import { OutboxView } from './outbox'
import { OverviewView } from './overview'
import { ScoringView } from './scoring'
import { SettingsView } from './settings'
import type { TabKey } from './tabs'

const TAB_VIEWS: Record<Exclude<TabKey, 'leads'>, FC<{ siteId: string }>> = {
  overview: OverviewView,
  scoring: ScoringView,
  experiences: ExperiencesView,
  ads: AdsView,
  flows: FlowsView,
  outbox: OutboxView,
  settings: SettingsView,
}

export function RoutedView({ route }: { route: Exclude<Route, { view: 'sites' }> }) {
  switch (route.view) {
    case 'leads':
      return <LeadsView key={`leads:${route.siteId}`} siteId={route.siteId} leadId={route.leadId} />
    case 'experience':
      return <ExperienceEditor key={`exp:${route.siteId}:${route.expId}`} siteId={route.siteId} expId={route.expId} />
    case 'flow':
      return <FlowEditor key={`flow:${route.siteId}:${route.flowId}`} siteId={route.siteId} flowId={route.flowId} />
    case 'results':
      return <ResultsView key={`results:${route.siteId}:${route.expId}`} siteId={route.siteId} expId={route.expId} />
    case 'tab': {
      const View = TAB_VIEWS[route.tab as keyof typeof TAB_VIEWS]
      return View ? <View key={`${route.tab}:${route.siteId}`} siteId={route.siteId} /> : null
    }
  }
}
