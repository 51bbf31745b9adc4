// Every API call the dashboard makes, typed end to end. Paths are relative: the dashboard works on any host.
import { request } from './client'
import type {
  Coverage, Decision, Experience, ExperienceDraft, ExperienceResult, LeadDetail, LeadFilter, LeadPage, PreviewQuery, Rule, RuleDraft,
  RulesPreview, SavedRule, DeadLetter, Flow, FlowDetail, FlowDraft, FlowPreview, FlowRun, FlowTemplate, MessageDetail, MessageSummary, Suppression, Channels, ChannelGrouping, ChannelTouch, DateRange, Funnel, MessageStats, TimeToConvert, Trends, SavedScoring, ScoringConfig, ScoringInput, Site, SiteInput, SitePatch, VitalsReport, Ad,
} from './types'

type S = AbortSignal | undefined
/** Leads per page of the leads list ("Load more" fetches the next). */
export const LEADS_PAGE = 50
const enc = encodeURIComponent
const site = (siteId: string) => `/api/sites/${enc(siteId)}`
const query = (entries: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(entries).filter((e): e is [string, string] => !!e[1])).toString()

export const api = {
  sites: (signal?: S, token?: string) => request<{ sites: Site[] }>('/api/sites', { signal, token }),
  createSite: (body: SiteInput) => request<Site>('/api/sites', { method: 'POST', body }),
  updateSite: (siteId: string, body: SitePatch) => request<Site>(site(siteId), { method: 'PATCH', body }),

  leads: (siteId: string, filter: LeadFilter, cursor?: string, signal?: S) =>
    request<LeadPage>(`${site(siteId)}/leads?${query({ limit: String(LEADS_PAGE), ...filter, cursor })}`, { signal }),
  lead: (siteId: string, leadId: string, signal?: S) => request<LeadDetail>(`${site(siteId)}/leads/${enc(leadId)}`, { signal }),

  rules: (siteId: string, signal?: S) => request<{ rules: Rule[] }>(`${site(siteId)}/rules`, { signal }),
  previewRules: (siteId: string, rules: RuleDraft[], signal?: S) =>
    request<RulesPreview>(`${site(siteId)}/rules/preview`, { method: 'POST', body: { rules }, signal }),
  createRule: (siteId: string, body: RuleDraft) => request<SavedRule>(`${site(siteId)}/rules`, { method: 'POST', body }),
  replaceRule: (siteId: string, ruleId: string, body: RuleDraft) => request<SavedRule>(`${site(siteId)}/rules/${enc(ruleId)}`, { method: 'PUT', body }),
  deleteRule: (siteId: string, ruleId: string) => request<null>(`${site(siteId)}/rules/${enc(ruleId)}`, { method: 'DELETE' }),
  scoring: (siteId: string, signal?: S) => request<ScoringConfig>(`${site(siteId)}/scoring`, { signal }),
  saveScoring: (siteId: string, body: ScoringInput) => request<SavedScoring>(`${site(siteId)}/scoring`, { method: 'PUT', body }),

  experiences: (siteId: string, signal?: S) => request<{ experiences: Experience[] }>(`${site(siteId)}/experiences`, { signal }),
  experience: (siteId: string, id: string, signal?: S) => request<Experience>(`${site(siteId)}/experiences/${enc(id)}`, { signal }),
  createExperience: (siteId: string, body: ExperienceDraft) => request<Experience>(`${site(siteId)}/experiences`, { method: 'POST', body }),
  replaceExperience: (siteId: string, id: string, body: ExperienceDraft) =>
    request<Experience>(`${site(siteId)}/experiences/${enc(id)}`, { method: 'PUT', body }),
  deleteExperience: (siteId: string, id: string) => request<null>(`${site(siteId)}/experiences/${enc(id)}`, { method: 'DELETE' }),
  previewDecision: (siteId: string, q: PreviewQuery, signal?: S) =>
    request<Decision>(`${site(siteId)}/experiences/preview?${query(q)}`, { signal }),
  results: (siteId: string, range: { from?: string; to?: string }, signal?: S) =>
    request<{ experiences: ExperienceResult[] }>(`${site(siteId)}/metrics/experiences?${query(range)}`, { signal }),
  vitals: (siteId: string, range: { from?: string; to?: string }, signal?: S) =>
    request<VitalsReport>(`${site(siteId)}/metrics/vitals?${query(range)}`, { signal }),

  funnel: (siteId: string, range: DateRange, signal?: S) => request<Funnel>(`${site(siteId)}/metrics/funnel?${query(range)}`, { signal }),
  channels: (siteId: string, q: DateRange & { touch: ChannelTouch; by: ChannelGrouping }, signal?: S) =>
    request<Channels>(`${site(siteId)}/metrics/channels?${query(q)}`, { signal }),
  timeToConvert: (siteId: string, q: DateRange & { touch: ChannelTouch; by: ChannelGrouping }, signal?: S) =>
    request<TimeToConvert>(`${site(siteId)}/metrics/time-to-convert?${query(q)}`, { signal }),
  trends: (siteId: string, q: DateRange & { interval: 'day' | 'week' }, signal?: S) => request<Trends>(`${site(siteId)}/metrics/trends?${query(q)}`, { signal }),
  messages: (siteId: string, range: DateRange, signal?: S) => request<MessageStats>(`${site(siteId)}/metrics/messages?${query(range)}`, { signal }),

  flows: (siteId: string, signal?: S) => request<{ flows: Flow[] }>(`${site(siteId)}/flows`, { signal }),
  flowTemplates: (siteId: string, signal?: S) => request<{ templates: FlowTemplate[] }>(`${site(siteId)}/flows/templates`, { signal }),
  createFlowFromTemplate: (siteId: string, template: string) => request<Flow>(`${site(siteId)}/flows`, { method: 'POST', body: { template } }),
  flow: (siteId: string, flowId: string, signal?: S) => request<FlowDetail>(`${site(siteId)}/flows/${enc(flowId)}`, { signal }),
  createFlow: (siteId: string, body: FlowDraft) => request<Flow>(`${site(siteId)}/flows`, { method: 'POST', body }),
  replaceFlow: (siteId: string, flowId: string, body: Record<string, unknown>) => request<Flow>(`${site(siteId)}/flows/${enc(flowId)}`, { method: 'PUT', body }),
  deleteFlow: (siteId: string, flowId: string) => request<null>(`${site(siteId)}/flows/${enc(flowId)}`, { method: 'DELETE' }),
  previewFlow: (siteId: string, body: FlowDraft, signal?: S) => request<FlowPreview>(`${site(siteId)}/flows/preview`, { method: 'POST', body, signal }),
  leadRuns: (siteId: string, leadId: string, signal?: S) => request<{ runs: FlowRun[] }>(`${site(siteId)}/leads/${enc(leadId)}/runs`, { signal }),
  leadMessages: (siteId: string, leadId: string, signal?: S) =>
    request<{ messages: MessageSummary[] }>(`${site(siteId)}/messages?${query({ leadId, limit: '200' })}`, { signal }),
  messages_: (siteId: string, signal?: S) => request<{ messages: MessageSummary[] }>(`${site(siteId)}/messages?limit=200`, { signal }),
  message: (siteId: string, id: string, signal?: S) => request<MessageDetail>(`${site(siteId)}/messages/${enc(id)}`, { signal }),
  suppressions: (siteId: string, signal?: S) => request<{ suppressions: Suppression[] }>(`${site(siteId)}/suppressions`, { signal }),
  deadLetters: (siteId: string, signal?: S) => request<{ deadLetters: DeadLetter[] }>(`${site(siteId)}/dead-letters`, { signal }),

  ads: (siteId: string, signal?: S) => request<{ ads: Ad[] }>(`${site(siteId)}/ads`, { signal }),
  coverage: (siteId: string, signal?: S) => request<Coverage>(`${site(siteId)}/ads/coverage`, { signal }),
  importAds: (siteId: string, csv: string) => request<{ imported: number }>(`${site(siteId)}/ads/import`, { method: 'POST', csv }),
  deleteAd: (siteId: string, adId: string) => request<null>(`${site(siteId)}/ads/${enc(adId)}`, { method: 'DELETE' }),
}
