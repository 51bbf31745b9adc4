// Cairn dashboard: signs in with the admin token; sites, their leads, score rules and settings through /api.
// Every value from the API may come from a visitor, so it reaches the page as DOM text only.

const TOKEN_KEY = 'cairn_admin_token'
const $ = (id) => document.getElementById(id)
const state = {
  token: null, sites: null, siteId: null, leads: [], leadsKey: null, lead: null, focusLead: null, listSeq: 0, detailSeq: 0,
  // Scoring: `rules` as saved, `draft` as edited ({key, id|null, input: RuleInput}); both for `rulesSite`.
  scoring: null, rules: [], draft: [], rulesSite: null, editing: null, keySeq: 0, previewSeq: 0, previewTimer: 0, saving: false,
  // Experiences of `expsSite`; the editor's preview (sequence, debounce, URL typed by hand) and results/ads request sequences.
  exps: [], expsSite: null, expSeq: 0, expTimer: 0, urlTouched: false, resultsSeq: 0, adsSeq: 0,
}

// sessionStorage can throw (storage disabled): the token then lives in memory only.
const tokenStore = {
  read() { try { return sessionStorage.getItem(TOKEN_KEY) } catch { return null } },
  write(value) { try { sessionStorage.setItem(TOKEN_KEY, value) } catch {} },
  clear() { try { sessionStorage.removeItem(TOKEN_KEY) } catch {} },
}

class ApiError extends Error {
  constructor(status, code, message, issues = []) {
    super(message)
    Object.assign(this, { status, code, issues })
  }
}

async function api(path, { method = 'GET', body, csv, token = state.token } = {}) {
  const headers = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (csv !== undefined) headers['content-type'] = 'text/csv'
  let response
  try {
    response = await fetch(path, { method, headers, body: csv ?? (body && JSON.stringify(body)), cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the Worker. Is it running?')
  }
  const data = await response.json().catch(() => null)
  if (response.ok) return data
  const error = (data && data.error) || {}
  throw new ApiError(response.status, error.code || 'http_error', error.message || `Request failed (HTTP ${response.status}).`,
    Array.isArray(error.issues) ? error.issues : [])
}

/** "message path: issue · path: issue" */
const errorText = (error) => [error.message, ...(error.issues || []).map((i) => `${i.path}: ${i.message}`)].join(' · ')
const isAuthFailure = (error) => error instanceof ApiError && (error.status === 401 || error.status === 503)

/** Builds an element: string children become text nodes; links only to in-app or http(s) targets. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false || (name === 'href' && !isSafeHref(value))) continue
    if (name === 'class') node.className = value
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value)
    else node.setAttribute(name, value === true ? '' : value)
  }
  node.append(...children.flat().filter((c) => c != null && c !== false))
  return node
}

function isSafeHref(value) {
  if (value.startsWith('#')) return true
  try { return ['http:', 'https:'].includes(new URL(value).protocol) } catch { return false }
}

const enc = encodeURIComponent
const siteApi = (siteId) => `/api/sites/${enc(siteId)}`
const siteHref = (siteId, tab) => `#/sites/${enc(siteId)}/${tab}`
const leadsHref = (siteId) => siteHref(siteId, 'leads')
const leadHref = (siteId, leadId) => `${leadsHref(siteId)}/${enc(leadId)}`
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
const dayDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })
const numberFormat = new Intl.NumberFormat()
const dash = () => el('span', { class: 'muted' }, '—')
const plural = (n, word) => `${numberFormat.format(n)} ${word}${n === 1 ? '' : 's'}`

function timeEl(iso, format = dateFormat) {
  const date = new Date(iso)
  if (!iso || Number.isNaN(date.getTime())) return dash()
  return el('time', { datetime: date.toISOString(), title: date.toISOString() }, format.format(date))
}

function formatValue(value) {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value))
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

const linkOrText = (url) =>
  /^https?:/i.test(url) ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url) : el('span', {}, String(url))

/** A badge whose class comes from a safe name (stage, segment, kind); other names get the plain style. */
function badge(name, prefix = 'stage') {
  const text = String(name)
  return el('span', { class: /^[a-z_]+$/.test(text) ? `badge ${prefix}-${text}` : 'badge' }, text)
}
const stageBadge = (stage) => badge(stage || 'visitor')

/** Signed, colored number: +10 / −5. */
function signed(value, zero = '0') {
  const n = Number(value) || 0
  return el('span', { class: n > 0 ? 'pos' : n < 0 ? 'neg' : 'muted' }, n > 0 ? `+${n}` : n < 0 ? `−${-n}` : zero)
}

let toastTimer
function announce(message) {
  $('status').textContent = message
  $('status').classList.add('visible')
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => $('status').classList.remove('visible'), 2500)
}

function showError(id, message) {
  $(id).textContent = message || ''
  $(id).hidden = !message
}

function copyButton(text, label, className) {
  const button = el('button', { type: 'button', class: `ghost small ${className}`, 'aria-label': label, title: label }, 'Copy')
  button.addEventListener('click', async () => {
    const copied = await Promise.resolve().then(() => navigator.clipboard.writeText(text)).then(() => true, () => false)
    button.textContent = copied ? 'Copied' : 'Copy failed'
    announce(copied ? 'Copied to the clipboard.' : 'Could not copy: select the text and copy it.')
    setTimeout(() => { button.textContent = 'Copy' }, 1500)
  })
  return button
}

// Form errors: a red border plus, when `inline`, the message under the field.

function markInvalid(input, message, inline = true) {
  input.setAttribute('aria-invalid', 'true')
  if (!inline) return
  const host = input.closest('.field, .cond') || input.parentElement
  const note = el('p', { class: 'field-error' }, message)
  if (input.id) {
    note.id = `${input.id}-error`
    input.setAttribute('aria-describedby', note.id)
  }
  host.append(note)
}

function clearInvalid(form) {
  for (const note of form.querySelectorAll('.field-error')) note.remove()
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid')
    input.removeAttribute('aria-describedby')
  }
}

/** The input an API issue path points at: the longest prefix found in `fields` (path → input id). */
function issueInput(fields, path) {
  if (typeof fields === 'function') return fields(path)
  const parts = String(path ?? '').split('.')
  for (let n = parts.length; n > 0; n--) {
    const id = fields[parts.slice(0, n).join('.')]
    if (id) return $(id)
  }
  return null
}

/** Shows a 400's issues: next to their fields when `inline`, the others (or all, labelled) in the box. */
function showIssues(boxId, error, fields, { inline = true, labels = {} } = {}) {
  const items = []
  for (const { path, message } of error.issues || []) {
    const input = issueInput(fields, path)
    if (input) markInvalid(input, message, inline)
    const label = labels[path] || labels[String(path).split('.')[0]] || path || 'Request'
    if (!input || !inline) items.push(el('li', {}, el('strong', {}, `${label}: `), message))
  }
  $(boxId).replaceChildren(el('p', {}, error.message), items.length ? el('ul', {}, items) : '')
  $(boxId).hidden = false
  const first = $(boxId).closest('form')?.querySelector('[aria-invalid="true"]')
  if (first) first.focus()
}

// Views and routing

const VIEWS = ['sites', 'leads', 'scoring', 'experiences', 'experience', 'results', 'ads', 'settings']
const TABS = { leads: 'Leads', scoring: 'Scoring', experiences: 'Experiences', ads: 'Ads', settings: 'Settings' }

function showView(name) {
  const signedIn = name !== 'sign-in'
  $('sign-in-view').hidden = signedIn
  for (const view of VIEWS) $(`${view}-view`).hidden = name !== view
  $('nav').hidden = $('sign-out').hidden = !signedIn
}

function showSignIn(message) {
  showView('sign-in')
  document.title = 'Sign in · Cairn'
  showError('sign-in-error', message)
  $('token').focus()
}

function parseRoute() {
  let parts = []
  try { parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent) } catch {}
  if (parts[0] === 'sites' && parts[1]) {
    const view = parts[2] || 'leads'
    if (view === 'leads') return { view, siteId: parts[1], leadId: parts[3] || null }
    if (view === 'experiences' && parts[3]) {
      if (parts[4] === 'results') return { view: 'results', siteId: parts[1], expId: parts[3] }
      return { view: 'experience', siteId: parts[1], expId: parts[3] === 'new' ? null : parts[3] }
    }
    if (TABS[view]) return { view, siteId: parts[1] }
  }
  return { view: 'sites' }
}

async function render() {
  if (!state.token) return showSignIn()
  const route = parseRoute()
  try {
    if (route.view === 'leads') await renderLeadsRoute(route)
    else if (route.view === 'scoring') await renderScoringRoute(route)
    else if (route.view === 'settings') await renderSettingsRoute(route)
    else if (route.view === 'experiences') await renderExperiencesRoute(route)
    else if (route.view === 'experience') await renderExperienceRoute(route)
    else if (route.view === 'results') await renderResultsRoute(route)
    else if (route.view === 'ads') await renderAdsRoute(route)
    else await renderSitesRoute()
  } catch (error) {
    handleFailure(error)
  }
}

function handleFailure(error) {
  if (!isAuthFailure(error)) return announce(error.message || 'Something went wrong.')
  signOut(error.status === 401 ? 'Your session has expired or the token changed. Sign in again.' : error.message)
}

async function loadSites() {
  if (!state.sites) state.sites = (await api('/api/sites')).sites
  return state.sites
}

/** Shows a site's view with its crumbs, title and tabs (`tab` marked current); answers the site, or undefined for an unknown id. */
async function enterSite(siteId, view, tab = view, heading = TABS[tab]) {
  showView(view)
  const site = (await loadSites()).find((s) => s.id === siteId)
  const name = site ? site.name : siteId
  $(`${view}-title`).textContent = `${heading} · ${name}`
  document.title = `${heading} · ${name} · Cairn`
  $('leads-site-name').textContent = name
  for (const crumb of document.querySelectorAll('.crumb-site')) crumb.textContent = name
  // Only the visible view holds the tabs, so their ids stay unique.
  for (const nav of document.querySelectorAll('.tabs')) nav.replaceChildren()
  $(`${view}-view`).querySelector('.tabs').replaceChildren(...Object.entries(TABS).map(([key, label]) =>
    el('a', { href: siteHref(siteId, key), id: `tab-${key}`, 'aria-current': key === tab ? 'page' : null }, label)))
  for (const crumb of document.querySelectorAll('.crumb-exps')) crumb.href = siteHref(siteId, 'experiences')
  return site
}

async function loadScoring(siteId) {
  if (state.scoring?.siteId !== siteId) state.scoring = { ...(await api(`${siteApi(siteId)}/scoring`)), siteId }
  return state.scoring
}

// Sign in and out

async function signIn(event) {
  event.preventDefault()
  const token = $('token').value.trim()
  if (!token) return showError('sign-in-error', 'Enter the admin token.')
  $('sign-in').disabled = true
  showError('sign-in-error', '')
  try {
    const { sites } = await api('/api/sites', { token })
    Object.assign(state, { token, sites })
    tokenStore.write(token)
    $('token').value = ''
    await render()
  } catch (error) {
    showError('sign-in-error', error.message)
    $('token').select()
  } finally {
    $('sign-in').disabled = false
  }
}

function signOut(message) {
  tokenStore.clear()
  Object.assign(state, { token: null, sites: null, leads: [], leadsKey: null, lead: null, scoring: null, rules: [], draft: [], rulesSite: null, editing: null, exps: [], expsSite: null })
  state.expSeq++
  state.listSeq++
  state.detailSeq++
  state.previewSeq++
  $('sites-body').replaceChildren()
  $('leads-body').replaceChildren()
  $('lead-detail').hidden = true
  showSignIn(typeof message === 'string' ? message : '')
}

// Sites

async function renderSitesRoute() {
  showView('sites')
  document.title = 'Sites · Cairn'
  renderSites(await loadSites())
}

function renderSites(sites) {
  $('sites-empty').hidden = sites.length > 0
  $('sites-table').hidden = sites.length === 0
  $('sites-body').replaceChildren(...sites.flatMap(siteRows))
}

function siteRows(site) {
  const snippet = `<script async src="${location.origin}/sdk.js" data-site="${site.key}"></script>`
  const href = leadsHref(site.id)
  return [
    el('tr', { class: 'site', 'data-site-id': site.id },
      el('td', {}, el('a', { href, class: 'site-name' }, site.name)),
      el('td', { class: 'nowrap' }, el('code', { class: 'site-key' }, site.key), ' ',
        copyButton(site.key, `Copy site key of ${site.name}`, 'copy-key')),
      el('td', {}, el('ul', { class: 'plain' }, (site.origins || []).map((origin) => el('li', {}, origin)))),
      el('td', {}, site.origin || dash()),
      el('td', { class: 'actions nowrap' }, el('a', { href, class: 'button-link' }, 'Leads'), ' ',
        el('a', { href: siteHref(site.id, 'scoring'), class: 'button-link' }, 'Scoring'))),
    el('tr', { class: 'install', 'data-site-id': site.id },
      el('td', { colspan: 5 }, el('div', { class: 'snippet' },
        el('pre', {}, el('code', { class: 'snippet-code' }, snippet)),
        copyButton(snippet, `Copy script tag of ${site.name}`, 'copy-snippet')))),
  ]
}

const SITE_LABELS = { name: 'Name', origins: 'Allowed origins', origin: 'Edge origin', hostnames: 'Hostnames' }
const splitList = (text) => text.split(/[\s,]+/).filter(Boolean)

/** Lists the issues with their labels (and the offending origin or hostname), marking the inputs. */
function showSiteIssues(boxId, error, fields, lists) {
  const labels = { ...SITE_LABELS }
  for (const { path } of error.issues || []) {
    const [field, index] = String(path ?? '').split('.')
    if (lists[field]?.[index] !== undefined) labels[path] = `${SITE_LABELS[field]} “${lists[field][index]}”`
  }
  showIssues(boxId, error, fields, { inline: false, labels })
}

async function createSite(event) {
  event.preventDefault()
  $('site-error').hidden = true
  clearInvalid($('site-form'))
  const origins = splitList($('site-origins').value)
  const body = { name: $('site-name').value.trim(), origins }
  if ($('site-edge-origin').value.trim()) body.origin = $('site-edge-origin').value.trim()
  $('site-create').disabled = true
  try {
    const site = await api('/api/sites', { method: 'POST', body })
    state.sites = [...(state.sites || []), site]
    $('site-form').reset()
    renderSites(state.sites)
    announce(`Site “${site.name}” created. Paste its script tag on your pages.`)
    document.querySelector(`tr.install[data-site-id="${CSS.escape(site.id)}"] .copy-snippet`).focus()
  } catch (error) {
    if (isAuthFailure(error)) handleFailure(error)
    else showSiteIssues('site-error', error, { name: 'site-name', origins: 'site-origins', origin: 'site-edge-origin' }, { origins })
  } finally {
    $('site-create').disabled = false
  }
}

// Settings

const SETTINGS_FIELDS = { name: 'settings-name', origins: 'settings-origins', origin: 'settings-origin', hostnames: 'settings-hostnames' }

async function renderSettingsRoute({ siteId }) {
  const site = await enterSite(siteId, 'settings')
  clearInvalid($('settings-form'))
  $('settings-status').textContent = ''
  $('settings-save').disabled = !site
  showError('settings-error', site ? '' : 'No site with this id. Pick one from the sites list.')
  fillSettings(site || { origins: [], hostnames: [] })
}

function fillSettings(site) {
  $('settings-name').value = site.name || ''
  $('settings-key').value = site.key || ''
  $('settings-copy').replaceChildren(site.key ? copyButton(site.key, 'Copy site key', 'copy-key') : '')
  $('settings-origins').value = (site.origins || []).join('\n')
  $('settings-origin').value = site.origin || ''
  $('settings-hostnames').value = (site.hostnames || []).join('\n')
}

async function saveSettings(event) {
  event.preventDefault()
  const { siteId } = parseRoute()
  const site = state.sites?.find((s) => s.id === siteId)
  if (!site) return
  clearInvalid($('settings-form'))
  showError('settings-error', '')
  $('settings-status').textContent = ''
  const origins = splitList($('settings-origins').value)
  const hostnames = splitList($('settings-hostnames').value)
  const body = { name: $('settings-name').value.trim(), origins, hostnames }
  const origin = $('settings-origin').value.trim()
  // An emptied edge origin is sent as null: it turns edge mode off.
  if (origin || site.origin) body.origin = origin || null
  if (!body.name) {
    markInvalid($('settings-name'), 'Give the site a name.')
    return $('settings-name').focus()
  }
  $('settings-save').disabled = true
  try {
    const saved = await api(siteApi(siteId), { method: 'PATCH', body })
    state.sites = state.sites.map((s) => (s.id === siteId ? saved : s))
    if (parseRoute().siteId !== siteId) return
    fillSettings(saved)
    await enterSite(siteId, 'settings')
    $('settings-status').textContent = 'Saved.'
    announce('Site settings saved.')
  } catch (error) {
    if (isAuthFailure(error)) return handleFailure(error)
    showSiteIssues('settings-error', error, SETTINGS_FIELDS, { origins, hostnames })
  } finally {
    $('settings-save').disabled = false
  }
}

// Leads

const LEAD_FILTERS = { email: 'leads-email', stage: 'leads-stage', minScore: 'leads-min-score', source: 'leads-source' }
const filterValues = () => Object.entries(LEAD_FILTERS).map(([name, id]) => [name, $(id).value.trim()]).filter(([, v]) => v)

async function renderLeadsRoute({ siteId, leadId }) {
  const site = await enterSite(siteId, 'leads')
  if (state.siteId !== siteId) {
    for (const id of Object.values(LEAD_FILTERS)) $(id).value = ''
    state.leadsKey = null
  }
  if (!site) {
    Object.assign(state, { siteId, leads: [], leadsKey: null })
    renderLeads()
    $('leads-empty').hidden = $('lead-detail').hidden = true
    return showError('leads-error', 'No site with this id. Pick one from the sites list.')
  }
  // The preset names the stages; without it the default ones stay in the filter.
  loadScoring(siteId).then(({ stages }) => { if (state.scoring.siteId === siteId) fillStageFilter(stages) }, () => {})
  if (state.leadsKey !== leadsKey(siteId)) await loadLeads(siteId)
  else renderLeads()
  if (leadId) await openLead(siteId, leadId)
  else closeLeadPanel()
}

function fillStageFilter(stages) {
  if (!Array.isArray(stages) || !stages.length) return
  const select = $('leads-stage')
  const current = select.value
  select.replaceChildren(el('option', { value: '' }, 'Any stage'), ...stages.map((stage) => el('option', {}, String(stage))))
  select.value = stages.includes(current) ? current : ''
}

const leadsKey = (siteId) => JSON.stringify([siteId, filterValues()])

async function loadLeads(siteId) {
  const seq = ++state.listSeq
  const query = new URLSearchParams([['limit', '200'], ...filterValues()])
  const key = leadsKey(siteId)
  $('leads-table').setAttribute('aria-busy', 'true')
  showError('leads-error', '')
  try {
    const { leads } = await api(`${siteApi(siteId)}/leads?${query}`)
    if (seq !== state.listSeq) return
    Object.assign(state, { siteId, leads, leadsKey: key })
    renderLeads()
  } catch (error) {
    if (seq !== state.listSeq) return
    if (isAuthFailure(error)) throw error
    showError('leads-error', errorText(error))
  } finally {
    $('leads-table').removeAttribute('aria-busy')
  }
}

function touchSummary(touch) {
  if (!touch) return dash()
  return el('span', { class: 'touch' }, `${touch.source || '—'} / ${touch.medium || '—'}`,
    touch.campaign ? el('span', { class: 'muted' }, ` · ${touch.campaign}`) : null)
}

const scoreSplit = (lead) => (lead.fitScore == null && lead.engagementScore == null ? null
  : `fit ${lead.fitScore ?? 0} · engagement ${lead.engagementScore ?? 0}`)

function renderLeads() {
  const { leads, siteId } = state
  $('leads-empty').textContent = filterValues().length ? 'No leads match these filters.' : 'No leads yet. They appear once the site’s script tag sends events.'
  $('leads-empty').hidden = leads.length > 0
  $('leads-table').hidden = leads.length === 0
  $('leads-body').replaceChildren(...leads.map((lead) => {
    const href = leadHref(siteId, lead.id)
    const split = scoreSplit(lead)
    return el('tr', { class: 'lead', 'data-lead-id': lead.id, onclick: (e) => { if (!e.target.closest('a')) location.hash = href } },
      el('td', {}, el('a', { href, class: lead.email ? 'lead-link' : 'lead-link muted' }, lead.email || 'anonymous')),
      el('td', {}, stageBadge(lead.stage)),
      el('td', { class: 'num score', title: split }, el('strong', {}, String(lead.score ?? 0)),
        split ? el('small', { class: 'sub' }, `fit ${lead.fitScore ?? 0} · eng ${lead.engagementScore ?? 0}`) : null),
      el('td', { class: 'num' }, String(lead.sessions ?? 0)),
      el('td', { class: 'num' }, String(lead.eventCount ?? 0)),
      el('td', {}, touchSummary(lead.firstTouch)),
      el('td', { class: 'nowrap' }, timeEl(lead.lastSeen)))
  }))
  markSelected(parseRoute().leadId)
}

function markSelected(leadId) {
  for (const row of $('leads-body').rows) {
    row.classList.toggle('selected', row.dataset.leadId === leadId)
    if (row.dataset.leadId === leadId) row.setAttribute('aria-current', 'true')
    else row.removeAttribute('aria-current')
  }
}

function closeLeadPanel() {
  state.detailSeq++
  state.lead = null
  $('lead-detail').hidden = true
  markSelected(null)
  // Keyboard users land back on the row they had opened.
  const row = [...$('leads-body').rows].find((r) => r.dataset.leadId === state.focusLead)
  state.focusLead = null
  if (row) row.querySelector('a').focus()
}

function pairs(id, entries, emptyText) {
  const rows = entries.filter(([, value]) => value != null && value !== '')
  $(id).replaceChildren(...(rows.length
    ? rows.flatMap(([key, value]) => [el('dt', {}, key), el('dd', {}, value instanceof Node ? value : formatValue(value))])
    : [el('dd', { class: 'muted empty-pairs' }, emptyText)]))
}

const TOUCH_FIELDS = { source: 'Source', medium: 'Medium', campaign: 'Campaign', term: 'Term', content: 'Content', gclid: 'gclid', fbclid: 'fbclid', msclkid: 'msclkid' }

function touchPairs(id, touch) {
  const entries = !touch ? [] : [
    ...Object.entries(TOUCH_FIELDS).map(([key, label]) => [label, touch[key]]),
    ['Referrer', touch.referrer && linkOrText(touch.referrer)],
    ['Landing page', touch.landingPage && linkOrText(touch.landingPage)],
    ['At', touch.at && timeEl(touch.at)],
  ]
  pairs(id, entries, 'None recorded.')
}

async function openLead(siteId, leadId) {
  markSelected(leadId)
  const panel = $('lead-detail')
  panel.hidden = false
  if (state.lead && state.lead.id === leadId) return
  const seq = ++state.detailSeq
  panel.setAttribute('aria-busy', 'true')
  $('lead-title').textContent = 'Loading…'
  showError('lead-error', '')
  for (const part of panel.querySelectorAll('dl, ol, #lead-breakdown')) part.replaceChildren()
  try {
    const lead = await api(`${siteApi(siteId)}/leads/${enc(leadId)}`)
    if (seq !== state.detailSeq) return
    state.lead = lead
    renderLead(lead)
    $('lead-title').focus({ preventScroll: true })
    if (matchMedia('(max-width: 960px)').matches) panel.scrollIntoView({ block: 'start' })
  } catch (error) {
    if (seq !== state.detailSeq) return
    if (isAuthFailure(error)) throw error
    $('lead-title').textContent = error.status === 404 ? 'Lead not found' : 'Could not load this lead'
    showError('lead-error', error.message)
  } finally {
    if (seq === state.detailSeq) panel.removeAttribute('aria-busy')
  }
}

function rfmEl(rfm) {
  if (!rfm || !rfm.segment) return null
  return el('span', {}, badge(rfm.segment, 'seg'), ' ',
    el('span', { class: 'muted', title: 'Recency · frequency · monetary, 1–5' }, `R${rfm.recency} F${rfm.frequency} M${rfm.monetary}`))
}

function renderLead(lead) {
  $('lead-title').textContent = lead.email || 'Anonymous visitor'
  const split = scoreSplit(lead)
  pairs('lead-summary', [
    ['Stage', stageBadge(lead.stage)],
    ['Score', el('span', {}, el('strong', {}, String(lead.score ?? 0)), split ? el('span', { class: 'muted' }, ` (${split})`) : null)],
    ['RFM', rfmEl(lead.rfm)],
    ['Purchases', lead.purchases ? String(lead.purchases) : null],
    ['Revenue', lead.revenue ? numberFormat.format(lead.revenue) : null],
    ['Sessions', String(lead.sessions ?? 0)],
    ['Events', String(lead.eventCount ?? 0)],
    ['First seen', timeEl(lead.firstSeen)],
    ['Last seen', timeEl(lead.lastSeen)],
    ['User id', lead.userId],
    ['Visitor ids', (lead.anonymousIds || []).join(', ')],
  ], '')
  renderBreakdown(lead.scoreBreakdown || [])
  const history = lead.stageHistory || []
  $('lead-stages').replaceChildren(...(history.length ? history.map((h) => el('li', {},
    h.from ? stageBadge(h.from) : dash(), ' → ', stageBadge(h.to), ' ', timeEl(h.at, shortDate)))
    : [el('li', { class: 'muted' }, 'No stage changes yet.')]))
  pairs('lead-traits', Object.entries(lead.traits || {}), 'No traits yet.')
  touchPairs('lead-first-touch', lead.firstTouch)
  touchPairs('lead-last-touch', lead.lastTouch)
  const events = lead.events || []
  $('lead-events').replaceChildren(...(events.length ? events.map(eventItem) : [el('li', { class: 'muted' }, 'No events.')]))
}

function renderBreakdown(items) {
  if (!items.length) return $('lead-breakdown').replaceChildren(el('p', { class: 'muted' }, 'No points yet.'))
  $('lead-breakdown').replaceChildren(el('table', { class: 'compact' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Rule'), el('th', {}, 'Kind'), el('th', { class: 'num' }, 'Points'), el('th', {}, 'When'), el('th', {}, 'Expires'))),
    el('tbody', {}, items.map((item) => el('tr', { 'data-rule-id': item.ruleId, 'data-event-id': item.eventId },
      el('td', {}, item.rule || item.ruleId || '—'),
      el('td', {}, item.kind ? el('span', { class: `badge kind-${item.kind === 'fit' ? 'fit' : 'engagement'}`, title: item.kind }, item.kind === 'fit' ? 'fit' : 'eng') : dash()),
      el('td', { class: 'num' }, signed(item.points)),
      el('td', { class: 'nowrap' }, timeEl(item.at, dayDate)),
      el('td', { class: 'nowrap' }, item.expiresAt ? timeEl(item.expiresAt, dayDate) : dash()))))))
}

const EVENT_NAMES = { page: 'Page view', identify: 'Identify' }

function eventItem(event) {
  const data = event.type === 'identify' ? event.traits : event.properties
  const hasData = data && typeof data === 'object' && Object.keys(data).length > 0
  return el('li', { class: 'event', 'data-event-id': event.id },
    el('div', { class: 'event-head' },
      el('span', { class: `badge type-${/^[a-z]+$/.test(event.type) ? event.type : 'other'}` }, String(event.type)),
      el('span', { class: 'event-name' }, event.name || EVENT_NAMES[event.type] || '—'),
      timeEl(event.timestamp)),
    event.url ? el('div', { class: 'event-url' }, linkOrText(event.url)) : null,
    hasData ? el('details', {}, el('summary', {}, event.type === 'identify' ? 'Traits' : 'Properties'),
      el('pre', {}, JSON.stringify(data, null, 2))) : null)
}

// Scoring: rules are edited as a draft, previewed against existing leads, then saved as a diff.

const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists']
const RULE_FIELDS = { name: 'rule-name', points: 'rule-points', limit: 'rule-limit', expiresDays: 'rule-expires',
  'match.type': 'rule-type', 'match.path': 'rule-path', 'match.event': 'rule-event', 'match.where': 'rule-where-add' }

/** match.where.1.value → the value input of the second condition row. */
function ruleIssueInput(path) {
  const [, index, part] = /^match\.where\.(\d+)\.?(\w*)/.exec(String(path)) || []
  const row = index && $('rule-where').children[index]
  return row ? row.querySelector(`.cond-${part || 'field'}`) || row.firstChild : issueInput(RULE_FIELDS, path)
}

/** The RuleInput of a rule, keys in a fixed order so that drafts compare as JSON. */
function toInput({ name, points, limit, expiresDays, enabled, match: { type, path, event, where } }) {
  const fit = type === 'identify'
  return {
    name, points,
    ...(!fit && limit != null ? { limit } : {}),
    ...(!fit && expiresDays != null ? { expiresDays } : {}),
    enabled: enabled !== false,
    match: { type, ...(type === 'page' ? { path } : type === 'track' ? { event } : {}),
      ...(where?.length ? { where: where.map(({ field, op, value }) => (op === 'exists' ? { field, op } : { field, op, value })) } : {}) },
  }
}

const fromRule = (rule) => ({ key: ++state.keySeq, id: rule.id, input: toInput(rule) })
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

function draftStatus(item) {
  const saved = item.id && state.rules.find((rule) => rule.id === item.id)
  return !item.id ? 'new' : saved && same(item.input, toInput(saved)) ? '' : 'edited'
}

/** [[n, 'new'], [n, 'edited'], [n, 'removed']] */
function draftChanges() {
  const count = (status) => state.draft.filter((item) => draftStatus(item) === status).length
  const removed = state.rules.filter((rule) => !state.draft.some((item) => item.id === rule.id)).length
  return [[count('new'), 'new'], [count('edited'), 'edited'], [removed, 'removed']]
}
const isDirty = () => draftChanges().some(([n]) => n)
const describe = (counts) => counts.filter(([n]) => n).map(([n, word]) => `${n} ${word}`).join(', ')

const quote = (v) => (typeof v === 'string' && /^[^\s"]+$/.test(v) && !/^(-?[\d.]+|true|false)$/.test(v) ? v : JSON.stringify(v))

/** "Page /pricing* · where properties.plan eq growth" */
function matchSummary({ type, path, event, where = [] }) {
  const head = type === 'page' ? `Page ${path || '*'}` : type === 'track' ? `Event ${event}` : 'Identify'
  const conds = where.map((c) => (c.op === 'exists' ? `${c.field} exists` : `${c.field} ${c.op} ${quote(c.value)}`))
  return conds.length ? `${head} · where ${conds.join(' and ')}` : head
}

async function renderScoringRoute({ siteId }) {
  const site = await enterSite(siteId, 'scoring')
  $('scoring-view').querySelector('.split').hidden = !site
  showError('scoring-error', site ? '' : 'No site with this id. Pick one from the sites list.')
  if (!site || state.rulesSite === siteId) return site && renderRules()
  Object.assign(state, { rules: [], draft: [], rulesSite: null })
  closeEditor()
  $('scoring-status').textContent = ''
  draftChanged()
  const [rules, scoring] = await Promise.allSettled([api(`${siteApi(siteId)}/rules`), loadScoring(siteId)])
  for (const { reason } of [rules, scoring]) if (isAuthFailure(reason)) throw reason
  if (parseRoute().siteId !== siteId) return
  if (rules.value) Object.assign(state, { rules: rules.value.rules || [], draft: (rules.value.rules || []).map(fromRule), rulesSite: siteId })
  else showError('scoring-error', `Could not load the rules: ${rules.reason.message}`)
  if (scoring.value) fillScoringForm(scoring.value)
  else showError('scoring-form-error', `Could not load the thresholds: ${scoring.reason.message}`)
  renderRules()
}

function renderRules() {
  const { draft } = state
  $('rules-empty').hidden = draft.length > 0
  $('rules-table').hidden = !draft.length
  $('rules-body').replaceChildren(...draft.map(ruleRow))
  const changes = describe(draftChanges())
  $('rules-save').disabled = $('rules-discard').disabled = !changes || state.saving
  $('rules-dirty').textContent = changes ? `Unsaved: ${changes}` : 'All rules saved.'
}

function ruleRow(item) {
  const { input } = item
  const { name, match } = input
  const status = draftStatus(item)
  const fit = match.type === 'identify'
  const classes = ['rule', status && `draft-${status}`, state.editing === item.key && 'selected', !input.enabled && 'disabled']
  const button = (action, label, onclick) =>
    el('button', { type: 'button', class: `ghost small rule-${action}`, 'aria-label': `${label} ${name}`, onclick }, label)
  return el('tr', { class: classes.filter(Boolean).join(' '), 'data-rule-id': item.id },
    el('td', {},
      el('div', { class: 'rule-name' }, name, ' ', badge(fit ? 'fit' : 'engagement', 'kind'), status && el('span', { class: 'badge draft' }, status)),
      el('div', { class: 'rule-match muted' }, matchSummary(match))),
    el('td', { class: 'num' }, signed(input.points)),
    el('td', { class: 'num' }, fit ? el('span', { class: 'muted', title: 'Fit rules count once while the traits match' }, 'once')
      : input.limit ? `×${input.limit}` : dash()),
    el('td', { class: 'num nowrap' }, input.expiresDays ? `${input.expiresDays} d` : dash()),
    el('td', {}, el('input', { type: 'checkbox', class: 'rule-enabled', checked: input.enabled, 'aria-label': `Enabled: ${name}`,
      onchange: (e) => { item.input = { ...input, enabled: e.target.checked }; draftChanged() } })),
    el('td', { class: 'actions nowrap' }, button('edit', 'Edit', () => openEditor(item)), ' ', button('remove', 'Remove', () => {
      state.draft = state.draft.filter((d) => d !== item)
      if (state.editing === item.key) closeEditor()
      draftChanged()
      announce(`Removed “${name}” from the draft. Discard to undo.`)
    })))
}

function draftChanged() {
  if (!state.saving) $('rules-status').replaceChildren()
  renderRules()
  schedulePreview()
}

// Rule editor

function condRow({ field = '', op = 'eq', value = '' } = {}) {
  const valueInput = el('input', { class: 'cond-value', 'aria-label': 'Value', placeholder: 'value', value: String(value ?? '') })
  const select = el('select', { class: 'cond-op', 'aria-label': 'Operator', onchange: () => { valueInput.hidden = select.value === 'exists' } },
    OPS.map((o) => el('option', { selected: o === op }, o)))
  valueInput.hidden = op === 'exists'
  return el('div', { class: 'cond' },
    el('input', { class: 'cond-field', 'aria-label': 'Field', placeholder: 'traits.budget', value: field, autocomplete: 'off' }), select, valueInput,
    el('button', { type: 'button', class: 'ghost small cond-remove', 'aria-label': 'Remove condition', onclick: (e) => e.currentTarget.parentElement.remove() }, '✕'))
}

function syncRuleType() {
  const type = $('rule-type').value
  $('rule-path-field').hidden = type !== 'page'
  $('rule-event-field').hidden = type !== 'track'
  for (const field of document.querySelectorAll('.engagement-only')) field.hidden = type === 'identify'
  $('rule-kind-hint').textContent = type === 'identify'
    ? 'Fit rule: counts once while the lead’s traits satisfy the conditions.'
    : 'Engagement rule: points for each matching event, up to the limit per lead; they lapse after the expiry.'
}

function openEditor(item) {
  state.editing = item ? item.key : 'new'
  const { name, points, limit, expiresDays, match } = item ? item.input : { name: '', points: 10, match: { type: 'page' } }
  clearInvalid($('rule-form'))
  $('rule-error').hidden = true
  $('rule-form-title').textContent = item ? `Edit “${name}”` : 'New rule'
  $('rule-apply').textContent = item ? 'Apply changes' : 'Add to draft'
  const values = { name, type: match.type, path: match.path, event: match.event, points, limit, expires: expiresDays }
  for (const [key, value] of Object.entries(values)) $(`rule-${key}`).value = value ?? ''
  $('rule-where').replaceChildren(...(match.where || []).map(condRow))
  syncRuleType()
  $('rule-form').hidden = false
  renderRules()
  $('rule-form').scrollIntoView({ block: 'nearest' })
  $('rule-name').focus({ preventScroll: true })
}

function closeEditor() {
  state.editing = null
  $('rule-form').hidden = true
}

/** Numbers and booleans typed in a condition are sent as such (contains always takes text). */
function conditionValue(op, text) {
  const trimmed = text.trim()
  if (op === 'contains') return text
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  return trimmed === 'true' || trimmed === 'false' ? trimmed === 'true' : text
}

/** Reads the editor into a RuleInput, with [input, message] errors mirroring the API's checks. */
function readRuleForm(enabled) {
  const errors = []
  const check = (ok, id, message) => { if (!ok) errors.push([typeof id === 'string' ? $(id) : id, message]) }
  const value = (id) => $(id).value.trim()
  const type = value('rule-type')
  const points = Number(value('rule-points'))
  check(value('rule-name'), 'rule-name', 'Enter a name.')
  check(value('rule-points') && Number.isInteger(points) && Math.abs(points) <= 1000, 'rule-points', 'Points must be a whole number from −1000 to 1000.')
  const count = (id) => {
    const n = value(id) === '' ? null : Number(value(id))
    check(!$(id).validity.badInput && (n === null || (Number.isInteger(n) && n >= 1)), id, 'A whole number of at least 1, or empty.')
    return n
  }
  const [limit, expiresDays] = type === 'identify' ? [] : [count('rule-limit'), count('rule-expires')]
  check(type !== 'page' || value('rule-path'), 'rule-path', 'Enter a path, e.g. /pricing* (or * for every page).')
  check(type !== 'track' || value('rule-event'), 'rule-event', 'Enter the event name, e.g. Signed Up.')
  const where = [...$('rule-where').children].map((row) => {
    const [field, op, text] = ['field', 'op', 'value'].map((part) => row.querySelector(`.cond-${part}`))
    check(/^(properties|traits|context)\.[^.\s]/.test(field.value.trim()), field, 'Use a field such as properties.plan, traits.budget or context.url.')
    check(op.value === 'exists' || text.value.trim(), text, 'Enter a value.')
    return { field: field.value.trim(), op: op.value, value: conditionValue(op.value, text.value) }
  })
  const match = { type, path: value('rule-path'), event: value('rule-event'), where }
  return { input: toInput({ name: value('rule-name'), points, limit, expiresDays, enabled, match }), errors }
}

function applyRule(event) {
  event.preventDefault()
  clearInvalid($('rule-form'))
  const item = state.draft.find((d) => d.key === state.editing)
  const { input, errors } = readRuleForm(item ? item.input.enabled : true)
  if (errors.length) {
    for (const [field, message] of errors) markInvalid(field, message)
    showError('rule-error', `Check the highlighted field${errors.length > 1 ? 's' : ''}.`)
    return $('rule-form').querySelector('[aria-invalid]').focus()
  }
  if (item) item.input = input
  else state.draft.push({ key: ++state.keySeq, id: null, input })
  closeEditor()
  draftChanged()
  $('rule-add').focus()
}

function addCondition() {
  const row = condRow()
  $('rule-where').append(row)
  if ($('rule-type').value !== 'identify') row.firstChild.placeholder = 'properties.plan'
  row.firstChild.focus()
}

function cancelRule() {
  closeEditor()
  renderRules()
  $('rule-add').focus()
}

// Impact preview

function schedulePreview() {
  clearTimeout(state.previewTimer)
  const seq = ++state.previewSeq
  const preview = $('preview')
  if (!state.rulesSite || !isDirty()) {
    preview.removeAttribute('aria-busy')
    $('preview-changed').textContent = 'No unsaved changes. Edit the rules to see their impact on existing leads before saving.'
    showError('preview-error', '')
    $('preview-stages').hidden = true
    return $('preview-leads').replaceChildren()
  }
  preview.setAttribute('aria-busy', 'true')
  state.previewTimer = setTimeout(() => runPreview(seq, state.rulesSite), 300)
}

async function runPreview(seq, siteId) {
  try {
    const result = await api(`${siteApi(siteId)}/rules/preview`, { method: 'POST', body: { rules: state.draft.map((d) => d.input) } })
    if (seq === state.previewSeq) renderPreview(result, siteId)
  } catch (error) {
    if (seq !== state.previewSeq) return
    if (isAuthFailure(error)) return handleFailure(error)
    // rules.2.points → “Rule name” points: message
    const issues = error.issues.map(({ path, message }) => {
      const [, index, rest] = /^rules\.(\d+)\.?(.*)$/.exec(path) || []
      return `${state.draft[index] ? `“${state.draft[index].input.name}” ${rest}` : path}: ${message}`
    })
    $('preview-changed').textContent = 'Preview unavailable.'
    showError('preview-error', [error.message, ...issues].join(' · '))
  } finally {
    if (seq === state.previewSeq) $('preview').removeAttribute('aria-busy')
  }
}

function renderPreview({ before = {}, after = {}, changed = 0, leadsConsidered = 0, sampled, leads = [] }, siteId) {
  showError('preview-error', '')
  $('preview-changed').replaceChildren(el('strong', {}, plural(changed, 'lead')),
    ` of ${numberFormat.format(leadsConsidered)} would change score or stage${sampled ? ' (estimated from a sample)' : ''}.`)
  const stages = new Set([...(state.scoring?.siteId === siteId ? state.scoring.stages || [] : []), ...Object.keys(before), ...Object.keys(after)])
  const num = (n) => el('td', { class: 'num' }, n)
  $('preview-stages').replaceChildren(
    el('thead', {}, el('tr', {}, el('th', {}, 'Stage'), ['Before', 'After', 'Change'].map((h) => el('th', { class: 'num' }, h)))),
    el('tbody', {}, [...stages].map((stage) => {
      const [b, a] = [before[stage], after[stage]].map((n) => Number(n) || 0)
      return el('tr', { 'data-stage': stage, class: a === b ? 'same' : null }, el('td', {}, stageBadge(stage)),
        num(numberFormat.format(b)), num(numberFormat.format(a)), num(signed(a - b, '·')))
    })))
  $('preview-stages').hidden = false
  $('preview-leads').replaceChildren(...leads.map((lead) => el('li', { 'data-lead-id': lead.id },
    el('a', { href: leadHref(siteId, lead.id), class: lead.email ? 'lead-link' : 'lead-link muted' }, lead.email || lead.id),
    el('span', { class: 'nowrap' }, `${lead.scoreBefore} → `, el('strong', {}, String(lead.scoreAfter)), ' ', signed(lead.scoreAfter - lead.scoreBefore)),
    el('span', { class: 'nowrap' }, lead.stageBefore !== lead.stageAfter && [stageBadge(lead.stageBefore), ' → '], stageBadge(lead.stageAfter)))),
  changed > leads.length ? el('li', { class: 'muted' }, `…and ${plural(changed - leads.length, 'more lead')}.`) : '')
}

// Saving: deletions, then updates, then creations, one call each; on a failure the rest of the draft stays.

async function saveRules() {
  const siteId = state.rulesSite
  if (!siteId || state.saving) return
  const base = `${siteApi(siteId)}/rules`
  setSaving(true)
  $('rules-status').replaceChildren(el('p', { class: 'muted' }, 'Saving…'))
  const done = { added: 0, changed: 0, removed: 0 }
  let rescore
  let failure
  try {
    for (const rule of state.rules.filter((r) => !state.draft.some((d) => d.id === r.id))) {
      await api(`${base}/${enc(rule.id)}`, { method: 'DELETE' }).catch((error) => { if (error.status !== 404) throw error })
      done.removed++
    }
    for (const item of state.draft) {
      const status = draftStatus(item)
      if (!status) continue
      const saved = await api(item.id ? `${base}/${enc(item.id)}` : base, { method: item.id ? 'PUT' : 'POST', body: item.input })
        .catch((error) => { throw Object.assign(error, { item }) })
      item.id = saved.id
      done[status === 'new' ? 'added' : 'changed']++
      rescore = saved.rescore || rescore
    }
  } catch (error) {
    failure = error
  }
  try {
    state.rules = (await api(base)).rules || []
  } catch (error) {
    failure ||= error
  }
  // Scores and stages moved: the leads list and the open lead reload next time.
  Object.assign(state, { leadsKey: null, lead: null })
  setSaving(false)
  if (state.rulesSite !== siteId) return
  if (isAuthFailure(failure)) return handleFailure(failure)
  const summary = describe(Object.entries(done).map(([word, n]) => [n, word]))
  if (failure) {
    draftChanged()
    $('rules-status').replaceChildren(el('p', { class: 'error' },
      `${summary ? `Partly saved (${summary}). ` : ''}Could not save “${failure.item?.input.name ?? 'the rules'}”: ${failure.message}`))
    if (failure.item && failure.status === 400 && state.draft.includes(failure.item)) {
      openEditor(failure.item)
      showIssues('rule-error', failure, ruleIssueInput)
    }
    return
  }
  state.draft = state.rules.map(fromRule)
  closeEditor()
  draftChanged()
  const rescored = !rescore ? 'Existing leads are being re-scored.'
    : rescore.mode === 'queued' ? `Re-scoring ${plural(rescore.leads, 'lead')} in the background: scores update in a few moments.`
      : `Re-scored ${plural(rescore.leads, 'lead')}.`
  $('rules-status').replaceChildren(el('p', { class: 'ok' }, `Rules saved (${summary}). ${rescored}`))
  announce('Rules saved.')
}

/** Freezes the rule list and editor while the diff is being sent. */
function setSaving(saving) {
  state.saving = saving
  for (const id of ['rules-table', 'rule-form', 'rule-add']) $(id).inert = saving
  renderRules()
}

function discardRules() {
  state.draft = state.rules.map(fromRule)
  closeEditor()
  draftChanged()
  announce('Changes discarded.')
}

// Thresholds and stages: each input edits one field of the config (a number, a comma list, or text).

const SCORING_FORM = { preset: 'scoring-preset', 'thresholds.interest': 'threshold-interest', 'thresholds.mql': 'threshold-mql',
  'thresholds.sql': 'threshold-sql', purchaseEvents: 'scoring-purchase', salesEvents: 'scoring-sales', referralEvents: 'scoring-referral',
  revenueProperty: 'scoring-revenue', atRiskDays: 'scoring-at-risk', lostDays: 'scoring-lost' }
const dig = (object, path) => path.split('.').reduce((o, key) => o?.[key], object)

function fillScoringForm(config) {
  clearInvalid($('scoring-form'))
  showError('scoring-form-error', '')
  for (const [path, id] of Object.entries(SCORING_FORM)) {
    const value = dig(config, path)
    $(id).value = Array.isArray(value) ? value.join(', ') : value ?? ''
  }
  $('scoring-stages').replaceChildren(...(config.stages || []).flatMap((stage, i) => [i ? ' → ' : '', stageBadge(stage)]))
}

function readScoringForm() {
  const body = { thresholds: {} }
  const errors = []
  for (const [path, id] of Object.entries(SCORING_FORM)) {
    const input = $(id)
    const text = input.value.trim()
    let value = text
    if (input.type === 'number') {
      value = Number(text)
      const min = Number(input.min) || 0
      if (!text || !Number.isInteger(value) || value < min) errors.push([input, `Enter a whole number of at least ${min}.`])
    } else if (/Events$/.test(path)) value = text.split(',').map((name) => name.trim()).filter(Boolean)
    const [key, sub] = path.split('.')
    if (sub) body[key][sub] = value
    else body[key] = value
  }
  if (!errors.length && body.thresholds.sql <= body.thresholds.mql) errors.push([$('threshold-sql'), 'SQL must be greater than MQL.'])
  return { body, errors }
}

async function saveScoring(event) {
  event.preventDefault()
  const { siteId } = parseRoute()
  const form = $('scoring-form')
  clearInvalid(form)
  showError('scoring-form-error', '')
  $('scoring-status').textContent = ''
  const { body, errors } = readScoringForm()
  if (errors.length) {
    for (const [input, message] of errors) markInvalid(input, message)
    return form.querySelector('[aria-invalid="true"]').focus()
  }
  $('scoring-save').disabled = true
  try {
    const saved = await api(`${siteApi(siteId)}/scoring`, { method: 'PUT', body })
    state.scoring = { ...state.scoring, ...saved, siteId }
    fillScoringForm(state.scoring)
    fillStageFilter(state.scoring.stages)
    $('scoring-status').textContent = `Saved. ${plural(saved.restaged ?? 0, 'lead')} changed stage.`
    Object.assign(state, { leadsKey: null, lead: null }) // stages moved: the leads reload next time.
    schedulePreview()
  } catch (error) {
    if (isAuthFailure(error)) return handleFailure(error)
    showIssues('scoring-form-error', error, SCORING_FORM)
  } finally {
    $('scoring-save').disabled = false
  }
}

// Experiences: the list, an editor with a live preview of the draft, and results per arm.

const NO_SITE = 'No site with this id. Pick one from the sites list.'
const UTM = ['source', 'medium', 'campaign', 'term', 'content']
const expHref = (siteId, expId) => `${siteHref(siteId, 'experiences')}/${enc(expId)}`
const pct = (x, digits = 1) => `${(x * 100).toFixed(digits)}%`
const pText = (p) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`)

async function loadExperiences(siteId) {
  const { experiences } = await api(`${siteApi(siteId)}/experiences`)
  Object.assign(state, { exps: experiences || [], expsSite: siteId })
  return state.exps
}

/** "utm_campaign = black-friday · path /" */
function audienceSummary(m = {}) {
  const score = m.score && [m.score.gte != null && `≥ ${m.score.gte}`, m.score.lte != null && `≤ ${m.score.lte}`].filter(Boolean).join(' ')
  return [...UTM.filter((f) => m.utm?.[f]).map((f) => `utm_${f} = ${m.utm[f]}`), m.path && `path ${m.path}`,
    m.referrer && `referrer ${m.referrer}`, m.stage && `stage ${m.stage.join(' / ')}`, score && `score ${score}`,
    m.device && m.device.join(' / '), m.country && m.country.join(', ')].filter(Boolean).join(' · ') || 'Every visitor'
}

/** The ExperienceInput of a saved experience (variant ids kept, so assignments stay). */
const inputOf = ({ id, edited, createdAt, updatedAt, ...input }) => input

async function renderExperiencesRoute({ siteId }) {
  const site = await enterSite(siteId, 'experiences')
  $('exp-new').href = `${siteHref(siteId, 'experiences')}/new`
  showError('exp-list-error', site ? '' : NO_SITE)
  $('exp-table').hidden = $('exp-empty').hidden = true
  if (!site) return
  try {
    await loadExperiences(siteId)
  } catch (error) {
    if (isAuthFailure(error)) throw error
    return showError('exp-list-error', error.message)
  }
  if (parseRoute().siteId === siteId) renderExperienceList(siteId)
}

function renderExperienceList(siteId) {
  const list = state.exps
  $('exp-empty').hidden = list.length > 0
  $('exp-table').hidden = !list.length
  $('exp-body').replaceChildren(...list.map((x) => {
    const button = (cls, label, onclick) => el('button', { type: 'button', class: `ghost small ${cls}`, 'aria-label': `${label} ${x.name}`, onclick }, label)
    return el('tr', { class: `experience status-${x.status}`, 'data-experience-id': x.id },
      el('td', {}, el('a', { href: expHref(siteId, x.id), class: 'exp-link' }, x.name)),
      el('td', {}, badge(x.status, 'status')),
      el('td', { class: 'num' }, String(x.priority)),
      el('td', { class: 'audience' }, audienceSummary(x.match)),
      el('td', { class: 'num' }, String(x.variants.length)),
      el('td', { class: 'num' }, `${x.control}%`),
      el('td', {}, x.goal || dash()),
      el('td', { class: 'actions nowrap' },
        el('a', { href: expHref(siteId, x.id), class: 'button-link small exp-edit', 'aria-label': `Edit ${x.name}` }, 'Edit'), ' ',
        el('a', { href: `${expHref(siteId, x.id)}/results`, class: 'button-link small exp-results-link', 'aria-label': `Results of ${x.name}` }, 'Results'), ' ',
        button('exp-toggle', x.status === 'active' ? 'Pause' : 'Resume', () => toggleExperience(siteId, x)), ' ',
        button('exp-delete', 'Delete', () => removeExperience(siteId, x))))
  }))
}

async function toggleExperience(siteId, x) {
  showError('exp-list-error', '')
  try {
    const body = { ...inputOf(x), status: x.status === 'active' ? 'paused' : 'active' }
    const saved = await api(`${siteApi(siteId)}/experiences/${enc(x.id)}`, { method: 'PUT', body })
    state.exps = state.exps.map((e) => (e.id === x.id ? saved : e))
    if (parseRoute().view !== 'experiences') return
    renderExperienceList(siteId)
    $('exp-body').querySelector(`tr[data-experience-id="${CSS.escape(x.id)}"] .exp-toggle`)?.focus()
    announce(`“${saved.name}” ${saved.status === 'active' ? 'resumed' : 'paused'}.`)
  } catch (error) {
    if (isAuthFailure(error)) return handleFailure(error)
    showError('exp-list-error', `Could not ${x.status === 'active' ? 'pause' : 'resume'} “${x.name}”: ${errorText(error)}`)
  }
}

async function removeExperience(siteId, x) {
  if (!confirm(`Delete the experience “${x.name}”? Its visitors get the page’s default content again.`)) return
  showError('exp-list-error', '')
  try {
    await api(`${siteApi(siteId)}/experiences/${enc(x.id)}`, { method: 'DELETE' })
    state.exps = state.exps.filter((e) => e.id !== x.id)
    if (parseRoute().view === 'experiences') renderExperienceList(siteId)
    announce(`Experience “${x.name}” deleted.`)
  } catch (error) {
    if (isAuthFailure(error)) return handleFailure(error)
    showError('exp-list-error', `Could not delete “${x.name}”: ${errorText(error)}`)
  }
}

// Experience editor

const EXP_FIELDS = { name: 'exp-name', status: 'exp-status', priority: 'exp-priority', goal: 'exp-goal', control: 'exp-control',
  'match.path': 'exp-path', 'match.referrer': 'exp-referrer', 'match.country': 'exp-country', 'match.stage': 'exp-stage',
  'match.device': 'exp-device', 'match.score': 'exp-score-gte', 'match.score.lte': 'exp-score-lte', 'match.utm': 'exp-utm-campaign',
  ...Object.fromEntries(UTM.map((f) => [`match.utm.${f}`, `exp-utm-${f}`])), variants: 'exp-variant-add' }

/** variants.0.slots.headline → that slot's content box; other paths through EXP_FIELDS. */
function expIssueInput(path) {
  const [, index, part, slot] = /^variants\.(\d+)\.?(\w*)\.?(.*)$/.exec(String(path)) || []
  const box = index && $('exp-variants').children[index]
  if (!box) return issueInput(EXP_FIELDS, path)
  if (part === 'weight' || part === 'name') return box.querySelector(`.variant-${part}`)
  const row = slot && [...box.querySelectorAll('.slot')].find((r) => r.querySelector('.slot-name').value.trim() === slot)
  return row ? row.querySelector('.slot-content') : part === 'slots' ? box.querySelector('.slot-add') : box.querySelector('.variant-name')
}

const slotRow = (name = '', content = '') => el('div', { class: 'slot cond' },
  el('input', { class: 'slot-name', value: name, placeholder: 'slot name', autocomplete: 'off' }),
  el('textarea', { class: 'slot-content', rows: 1, placeholder: 'Content' }, content),
  el('button', { type: 'button', class: 'ghost small slot-remove', onclick: (e) => { e.currentTarget.parentElement.remove(); variantsChanged() } }, '✕'))

function variantBox(variant, index = $('exp-variants').children.length) {
  const { id, name, weight, slots } = variant || { name: `Variant ${'ABCDEFGHIJ'[index] || index + 1}`, weight: 100, slots: { headline: '', subheadline: '', cta: '' } }
  const list = el('div', { class: 'slots' }, Object.entries(slots).map(([n, c]) => slotRow(n, c)))
  const box = el('fieldset', { class: 'variant', 'data-variant-id': id }, el('legend', {}),
    el('div', { class: 'fields' },
      el('div', { class: 'field grow' }, el('label', {}, 'Name'), el('input', { class: 'variant-name', value: name, maxlength: 200, autocomplete: 'off' })),
      el('div', { class: 'field short' }, el('label', {}, 'Weight'), el('input', { class: 'variant-weight', type: 'number', min: 0, max: 10000, value: weight })),
      el('div', { class: 'variant-tools' }, el('button', { type: 'button', class: 'ghost small variant-remove', onclick: () => { box.remove(); variantsChanged() } }, 'Remove variant'))),
    list,
    el('button', { type: 'button', class: 'ghost small slot-add', onclick: () => { list.append(slotRow()); variantsChanged(); list.lastChild.firstChild.focus() } }, '+ Slot'))
  return box
}

/** Renumbers the variants' ids and labels (exp-variant-0-name, exp-variant-0-slot-1…) and refreshes the preview. */
function variantsChanged() {
  const boxes = [...$('exp-variants').children]
  const select = $('exp-preview-variant')
  const chosen = Math.min(Math.max(select.selectedIndex, 0), boxes.length - 1)
  boxes.forEach((box, i) => {
    const prefix = `exp-variant-${i}`
    box.querySelector('legend').textContent = `Variant ${i + 1}`
    for (const [cls, suffix] of [['.variant-name', 'name'], ['.variant-weight', 'weight']]) {
      const input = box.querySelector(cls)
      input.id = `${prefix}-${suffix}`
      input.closest('.field').querySelector('label').htmlFor = input.id
    }
    box.querySelector('.variant-remove').disabled = boxes.length === 1
    box.querySelectorAll('.slot').forEach((row, j) => {
      const slot = row.querySelector('.slot-name').value.trim() || `slot ${j + 1}`
      row.querySelector('.slot-name').setAttribute('aria-label', `Variant ${i + 1} slot ${j + 1} name`)
      Object.assign(row.querySelector('.slot-content'), { id: `${prefix}-slot-${j}` }).setAttribute('aria-label', `Variant ${i + 1} ${slot}`)
      row.querySelector('.slot-remove').setAttribute('aria-label', `Remove ${slot} from variant ${i + 1}`)
    })
  })
  select.replaceChildren(...boxes.map((box, i) => el('option', { value: i }, box.querySelector('.variant-name').value.trim() || `Variant ${i + 1}`)))
  select.selectedIndex = chosen
  $('exp-variant-add').disabled = boxes.length >= 10
  scheduleExpPreview()
}

async function renderExperienceRoute({ siteId, expId }) {
  const site = await enterSite(siteId, 'experience', 'experiences', expId ? 'Edit experience' : 'New experience')
  const form = $('exp-form')
  clearInvalid(form)
  showError('exp-error', site ? '' : NO_SITE)
  $('exp-status-text').textContent = ''
  $('exp-cancel').href = siteHref(siteId, 'experiences')
  $('exp-save').disabled = true
  const [scoring, , current] = await Promise.allSettled([loadScoring(siteId), state.expsSite === siteId ? null : loadExperiences(siteId),
    expId ? api(`${siteApi(siteId)}/experiences/${enc(expId)}`) : null])
  for (const { reason } of [scoring, current]) if (isAuthFailure(reason)) throw reason
  const route = parseRoute()
  if (route.view !== 'experience' || route.siteId !== siteId || route.expId !== expId) return
  if (current.reason) showError('exp-error', `Could not load this experience: ${current.reason.message}`)
  fillExperienceForm(current.value || { name: '', status: 'active', match: { path: '/' }, variants: [] }, scoring.value?.stages)
  $('exp-save').disabled = !site || !!current.reason
  if (current.value) $('experience-title').textContent = `${current.value.name} · ${site.name}`
}

function fillExperienceForm(x, presetStages) {
  const m = x.match || {}
  const values = { name: x.name, status: x.status, priority: x.priority, goal: x.goal, control: x.control, path: m.path, referrer: m.referrer,
    country: m.country?.join(', '), 'score-gte': m.score?.gte, 'score-lte': m.score?.lte, ...Object.fromEntries(UTM.map((f) => [`utm-${f}`, m.utm?.[f]])) }
  for (const [key, value] of Object.entries(values)) $(`exp-${key}`).value = value ?? ''
  const stages = [...new Set([...(presetStages || ['visitor', 'lead', 'mql', 'sql', 'customer']), ...(m.stage || [])])]
  $('exp-stage').replaceChildren(el('legend', {}, 'Stages'), ...stages.map((stage) =>
    el('label', {}, el('input', { type: 'checkbox', value: stage, checked: !!m.stage?.includes(stage) }), ` ${stage}`)))
  for (const box of $('exp-device').querySelectorAll('input')) box.checked = !!m.device?.includes(box.value)
  $('exp-preview-stage').replaceChildren(el('option', { value: '' }, '—'), ...stages.map((stage) => el('option', {}, stage)))
  $('exp-variants').replaceChildren(...(x.variants?.length ? x.variants : [null]).map(variantBox))
  state.urlTouched = false
  $('exp-preview-url').value = previewUrlFor(m)
  variantsChanged()
}

/** Reads the editor into an ExperienceInput; `errors` are [input, message] found before asking the API. */
function readExperienceForm() {
  const value = (id) => $(id).value.trim()
  const int = (id) => (value(id) === '' ? undefined : Number(value(id)))
  const checked = (id) => [...$(id).querySelectorAll('input:checked')].map((box) => box.value)
  const some = (list) => (list.length ? list : undefined)
  const errors = []
  const utm = Object.fromEntries(UTM.map((f) => [f, value(`exp-utm-${f}`)]).filter(([, glob]) => glob))
  const score = { gte: int('exp-score-gte'), lte: int('exp-score-lte') }
  const match = { path: value('exp-path') || undefined, utm: Object.keys(utm).length ? utm : undefined, stage: some(checked('exp-stage')),
    score: (score.gte ?? score.lte) !== undefined ? score : undefined, referrer: value('exp-referrer') || undefined,
    device: some(checked('exp-device')), country: some(splitList(value('exp-country')).map((c) => c.toUpperCase())) }
  const variants = [...$('exp-variants').children].map((box) => {
    const slots = {}
    for (const row of box.querySelectorAll('.slot')) {
      const [name, content] = [row.querySelector('.slot-name'), row.querySelector('.slot-content')]
      if (!name.value.trim() && content.value.trim()) errors.push([name, 'Name this slot, e.g. headline.'])
      else if (name.value.trim() && content.value.trim()) slots[name.value.trim()] = content.value.trim()
    }
    const weight = box.querySelector('.variant-weight').value
    return { ...(box.dataset.variantId ? { id: box.dataset.variantId } : {}), name: box.querySelector('.variant-name').value.trim(),
      weight: weight === '' ? undefined : Number(weight), slots }
  })
  if (!value('exp-name')) errors.push([$('exp-name'), 'Give the experience a name.'])
  const body = { name: value('exp-name'), status: value('exp-status'), priority: int('exp-priority'), goal: value('exp-goal') || null,
    match, variants, control: int('exp-control') }
  return { body, errors }
}

async function saveExperience(event) {
  event.preventDefault()
  const { siteId, expId } = parseRoute()
  const form = $('exp-form')
  clearInvalid(form)
  showError('exp-error', '')
  const { body, errors } = readExperienceForm()
  if (errors.length) {
    for (const [input, message] of errors) markInvalid(input, message)
    showError('exp-error', `Check the highlighted field${errors.length > 1 ? 's' : ''}.`)
    return form.querySelector('[aria-invalid="true"]').focus()
  }
  $('exp-save').disabled = true
  $('exp-status-text').textContent = 'Saving…'
  try {
    const base = `${siteApi(siteId)}/experiences`
    const saved = await api(expId ? `${base}/${enc(expId)}` : base, { method: expId ? 'PUT' : 'POST', body })
    state.expsSite = null // the list reloads with the new order
    announce(`Experience “${saved.name}” saved.`)
    location.hash = siteHref(siteId, 'experiences')
  } catch (error) {
    $('exp-status-text').textContent = ''
    if (isAuthFailure(error)) return handleFailure(error)
    showIssues('exp-error', error, expIssueInput)
  } finally {
    $('exp-save').disabled = false
  }
}

// Live preview: the draft rendered here (tokens filled from the URL) and the saved experiences' decision from the API.

const INLINE_TAGS = /<\/?(b|strong|em|i|u|br|small|mark|sup|sub|span)\s*\/?>/gi
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ESCAPES[c])
const globTest = (glob, value) => new RegExp(`^${glob.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(value)

/** A URL on this origin that the audience's path and UTM globs match. */
function previewUrlFor(match) {
  const url = new URL((match.path || '/').replace(/\*/g, '') || '/', location.origin)
  for (const f of UTM) if (match.utm?.[f]) url.searchParams.set(`utm_${f}`, match.utm[f].replace(/\*/g, '') || 'any')
  return url.href
}

function previewContext() {
  let url = null
  try { url = new URL($('exp-preview-url').value.trim()) } catch {}
  if (url && !/^https?:$/.test(url.protocol)) url = null
  const [device, stage, score, country, referrer] = ['device', 'stage', 'score', 'country', 'referrer'].map((k) => $(`exp-preview-${k}`).value.trim())
  return { url, device, stage, score, country: country.toUpperCase(), referrer }
}

/** Same cleaning as the Worker: control characters dropped, spaces collapsed, 60 characters at most, escaped. */
function tokenText(name, ctx) {
  const key = name.toLowerCase()
  const raw = /^utm_(source|medium|campaign|term|content)$/.test(key) ? ctx.url?.searchParams.get(key)
    : key === 'country' ? ctx.country : key.startsWith('query.') ? ctx.url?.searchParams.get(name.slice(6)) : ''
  // eslint-disable-next-line no-control-regex
  let text = (raw || '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim()
  if (text.length > 60) {
    const cut = text.slice(0, 60)
    text = (cut.lastIndexOf(' ') > 30 ? cut.slice(0, cut.lastIndexOf(' ')) : cut).trim()
  }
  return escapeHtml(text)
}

const fillTokens = (template, ctx) => template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|([^}]*))?\}\}/g,
  (_, name, fallback) => tokenText(name, ctx) || (fallback ?? '').trim())

/** Why the draft's audience would not match this preview visitor (empty: it matches). */
function audienceMisses(m, ctx) {
  if (!ctx.url) return ['enter a full http(s) URL']
  const misses = []
  if (m.path && !globTest(m.path, ctx.url.pathname)) misses.push(`path ${ctx.url.pathname} is not ${m.path}`)
  for (const [f, glob] of Object.entries(m.utm || {})) {
    const got = ctx.url.searchParams.get(`utm_${f}`)
    if (!got || !globTest(glob, got)) misses.push(got ? `utm_${f} “${got}” is not ${glob}` : `no utm_${f} (wants ${glob})`)
  }
  let host = ''
  try { host = new URL(ctx.referrer).hostname } catch {}
  if (m.referrer && !(host && globTest(m.referrer, host))) misses.push(`referrer ${host || 'none'} is not ${m.referrer}`)
  if (m.device && !m.device.includes(ctx.device)) misses.push(`device ${ctx.device} (wants ${m.device.join(' or ')})`)
  if (m.country && !m.country.includes(ctx.country)) misses.push(`country ${ctx.country || 'unknown'} (wants ${m.country.join(', ')})`)
  if (m.stage && !m.stage.includes(ctx.stage || 'visitor')) misses.push(`stage ${ctx.stage || 'visitor'} (wants ${m.stage.join(' or ')})`)
  const score = Number(ctx.score) || 0
  if (m.score && ((m.score.gte != null && score < m.score.gte) || (m.score.lte != null && score > m.score.lte))) misses.push(`score ${score} is out of range`)
  return misses
}

/**
 * A mock hero: headline, subheadline, CTA, then any other slot. Slot values are HTML fragments (inline tags and
 * escaped visitor values): the one place this dashboard uses innerHTML.
 */
function fillHero(box, slots) {
  const part = (tag, name, fallback) => {
    const node = el(tag, { class: `hero-${name}`, ...(tag === 'button' ? { type: 'button', tabindex: -1 } : {}) })
    if (slots[name] == null) node.append(el('span', { class: 'muted' }, fallback))
    else node.innerHTML = slots[name]
    return node
  }
  const others = Object.keys(slots).filter((name) => !['headline', 'subheadline', 'cta'].includes(name))
  box.replaceChildren(part('h2', 'headline', 'Default headline'), part('p', 'subheadline', 'Default subheadline'), part('button', 'cta', 'Default CTA'),
    others.length ? el('dl', { class: 'pairs hero-more' }, others.flatMap((name) => [el('dt', {}, name), part('dd', name, '')])) : '')
}

function scheduleExpPreview() {
  clearTimeout(state.expTimer)
  renderDraftPreview(previewContext())
  state.expTimer = setTimeout(runExpPreview, 300)
}

function renderDraftPreview(ctx) {
  const { body } = readExperienceForm()
  const variant = body.variants[$('exp-preview-variant').selectedIndex] || body.variants[0]
  const misses = audienceMisses(body.match, ctx)
  const unsafe = []
  const slots = Object.fromEntries(Object.entries(variant?.slots || {}).map(([name, content]) => {
    // Markup beyond the inline tags is shown as text: the Worker would reject it on save.
    if (content.replace(INLINE_TAGS, '').includes('<')) return unsafe.push(name) && [name, escapeHtml(content)]
    return [name, fillTokens(content, ctx)]
  }))
  $('exp-preview-match').className = misses.length ? 'match-no' : 'match-yes'
  $('exp-preview-match').textContent = misses.length ? `✗ The draft’s audience does not match: ${misses.join('; ')}.` : '✓ The draft’s audience matches this visitor.'
  if (unsafe.length) $('exp-preview-match').append(el('span', { class: 'field-error unsafe' }, `${unsafe.join(', ')}: only the inline tags b, strong, em, i, u, br, small, mark, sup, sub, span are allowed.`))
  fillHero($('exp-preview'), slots)
  $('exp-preview').classList.toggle('dimmed', misses.length > 0)
}

async function runExpPreview() {
  const { siteId, expId, view } = parseRoute()
  if (view !== 'experience') return
  const seq = ++state.expSeq
  const ctx = previewContext()
  if (!ctx.url) {
    $('exp-preview-decision').textContent = 'Enter a full URL, e.g. ' + previewUrlFor({})
    return $('exp-preview-server').replaceChildren()
  }
  const query = new URLSearchParams({ url: ctx.url.href, device: ctx.device })
  for (const key of ['stage', 'score', 'referrer']) if (ctx[key]) query.set(key, ctx[key])
  if (/^[A-Z]{2}$/.test(ctx.country)) query.set('country', ctx.country)
  $('exp-preview-panel').setAttribute('aria-busy', 'true')
  try {
    const decision = await api(`${siteApi(siteId)}/experiences/preview?${query}`)
    if (seq !== state.expSeq) return
    const chosen = decision.experiences.map(({ id, variant }) => {
      const x = state.exps.find((e) => e.id === id)
      const arm = variant === 'control' ? 'control (default content)' : x?.variants.find((v) => v.id === variant)?.name || variant
      return `${x ? x.name : id}${id === expId ? ' (saved version)' : ''} → ${arm}`
    })
    $('exp-preview-decision').textContent = chosen.length ? `Decided: ${chosen.join('; ')}.` : 'No saved experience matches: the page keeps its default content.'
    fillHero($('exp-preview-server'), decision.slots || {})
  } catch (error) {
    if (seq !== state.expSeq) return
    if (isAuthFailure(error)) return handleFailure(error)
    $('exp-preview-decision').textContent = `Preview unavailable: ${errorText(error)}`
    $('exp-preview-server').replaceChildren()
  } finally {
    if (seq === state.expSeq) $('exp-preview-panel').removeAttribute('aria-busy')
  }
}

function draftEdited(event) {
  if (!state.urlTouched && event.target.closest('fieldset.group')) $('exp-preview-url').value = previewUrlFor(readExperienceForm().body.match)
  if (event.target.matches('.variant-name, .slot-name')) variantsChanged()
  else scheduleExpPreview()
}

// Results: exposures and conversions per arm, lift over control and a two-proportion z-test (from the API).

async function renderResultsRoute({ siteId, expId }) {
  const site = await enterSite(siteId, 'results', 'experiences', 'Results')
  $('exp-results-edit').href = expHref(siteId, expId)
  $('exp-results').replaceChildren()
  $('exp-vitals').replaceChildren()
  if (!site) return showError('exp-results-error', NO_SITE)
  await loadResults(siteId, expId)
}

function rangeQuery() {
  const query = new URLSearchParams()
  const [from, to] = [$('exp-results-from').value, $('exp-results-to').value]
  if (from) query.set('from', new Date(`${from}T00:00:00`).toISOString())
  if (to) {
    const end = new Date(`${to}T00:00:00`)
    end.setDate(end.getDate() + 1) // `to` is exclusive: the whole day counts
    query.set('to', end.toISOString())
  }
  return query
}

async function loadResults(siteId, expId) {
  const seq = ++state.resultsSeq
  const [from, to] = [$('exp-results-from').value, $('exp-results-to').value]
  if (from && to && from > to) return showError('exp-results-error', 'The start date is after the end date.')
  showError('exp-results-error', '')
  $('exp-results').setAttribute('aria-busy', 'true')
  // Web vitals load alongside; their failure shows in their own card only.
  const vitals = api(`${siteApi(siteId)}/metrics/vitals?${rangeQuery()}`).catch((error) => ({ error }))
  let result
  try {
    const { experiences } = await api(`${siteApi(siteId)}/metrics/experiences?${rangeQuery()}`)
    if (seq !== state.resultsSeq) return
    result = experiences.find((x) => x.id === expId)
    if (result) renderResults(result)
    else $('exp-results').replaceChildren(el('p', { class: 'empty' }, 'No experience with this id on this site.'))
  } catch (error) {
    if (seq !== state.resultsSeq) return
    if (isAuthFailure(error)) throw error
    showError('exp-results-error', errorText(error))
  } finally {
    if (seq === state.resultsSeq) $('exp-results').removeAttribute('aria-busy')
  }
  const v = await vitals
  if (seq !== state.resultsSeq) return
  if (isAuthFailure(v.error)) throw v.error
  renderVitals(expId, result || state.exps.find((x) => x.id === expId), v)
}

// Web vitals (p75) per arm and page, from the SDK's `Web Vitals` events; Google's good / poor thresholds.
const VITALS = [['LCP', 2500, 4000, (n) => `${numberFormat.format(Math.round(n))} ms`], ['CLS', 0.1, 0.25, (n) => n.toFixed(3)], ['INP', 200, 500, (n) => `${numberFormat.format(Math.round(n))} ms`]]

function renderVitals(expId, x, v) {
  const head = el('h2', {}, 'Page experience (web vitals)')
  if (v.error) return $('exp-vitals').replaceChildren(head, el('p', { class: 'error', id: 'exp-vitals-error', role: 'alert' }, `Could not load web vitals: ${errorText(v.error)}`))
  const names = new Map((x?.variants || []).map((a) => [a.id, a.name]))
  const groups = new Map()
  for (const p of Array.isArray(v.pages) ? v.pages : []) {
    const pair = String(p.experiences).split(',').map((e) => e.trim()).find((e) => e.startsWith(`${expId}:`))
    if (!pair) continue
    const arm = pair.slice(expId.length + 1)
    const key = `${arm}\u0000${p.page}`
    if (!groups.has(key)) groups.set(key, { arm, page: String(p.page), list: [] })
    groups.get(key).list.push(p)
  }
  // One row per arm and page; when other experiences split it into several rows, p75s are count-weighted (≈).
  const cell = ([m, good, poor, fmt], rows) => {
    const parts = rows.filter((r) => r[m]?.p75 != null && r[m].count > 0)
    const n = parts.reduce((t, r) => t + r[m].count, 0)
    if (!n) return el('td', { class: 'num' }, dash())
    const value = parts.reduce((t, r) => t + r[m].p75 * r[m].count, 0) / n
    const rating = value <= good ? 'good' : value > poor ? 'poor' : 'ni'
    return el('td', { class: `num vital-${rating}`, title: `${m} p75 over ${plural(n, 'sample')}: ${rating === 'ni' ? 'needs improvement' : rating}` }, parts.length > 1 ? '≈ ' : '', fmt(value))
  }
  const ids = ['control', ...names.keys()]
  const rank = (arm) => (ids.includes(arm) ? ids.indexOf(arm) : ids.length)
  const rows = [...groups.values()].sort((a, b) => rank(a.arm) - rank(b.arm) || a.arm.localeCompare(b.arm) || a.page.localeCompare(b.page)).map(({ arm, page, list }) =>
    el('tr', { 'data-variant-id': arm }, el('th', { scope: 'row' }, arm === 'control' ? 'Control' : names.get(arm) || arm), el('td', {}, page),
      VITALS.map((m) => cell(m, list)), el('td', { class: 'num' }, numberFormat.format(list.reduce((t, r) => t + (r.LCP?.count || 0), 0)))))
  $('exp-vitals').replaceChildren(head, rows.length
    ? el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'exp-vitals-table' },
      el('thead', {}, el('tr', {}, ['Variant', 'Page'].map((h) => el('th', {}, h)), ['LCP p75', 'CLS p75', 'INP p75', 'Samples'].map((h) => el('th', { class: 'num' }, h)))),
      el('tbody', {}, rows)))
    : el('p', { class: 'muted', id: 'exp-vitals-empty' }, 'No web-vitals samples for this experience yet (the SDK reports them from /sdk-vitals.js after visitors leave a page).'))
}

const liftEl = (lift, control) => (lift == null ? el('span', { class: 'muted', title: control.exposures ? 'Control has no conversions yet' : 'No control exposures' }, 'n/a') : el('span', { class: lift > 0 ? 'pos' : lift < 0 ? 'neg' : 'muted' }, `${lift > 0 ? '+' : lift < 0 ? '−' : ''}${pct(Math.abs(lift), 0)}`))

/** "Deal converts 33% better than control (p = 0.003)" or "Not enough evidence yet …". */
function verdict(v, r) {
  if (!r.control.exposures) return `Not enough evidence yet for ${v.name}: no visitor is in the control group${r.controlPercent ? '' : ' (control is 0%)'}, so there is nothing to compare with.`
  if (v.significant && v.pValue != null) {
    const size = v.lift == null ? '' : `${pct(Math.abs(v.lift), 0)} `
    return `${v.name} converts ${size}${v.lift != null && v.lift < 0 ? 'worse' : 'better'} than control (${pText(v.pValue)}).`
  }
  const detail = [v.lift != null && `${v.lift >= 0 ? '+' : '−'}${pct(Math.abs(v.lift), 0)} vs control`, v.pValue != null && pText(v.pValue)].filter(Boolean)
  return `Not enough evidence yet for ${v.name}${detail.length ? ` (${detail.join(', ')})` : ''}.`
}

function renderResults(r) {
  const num = (n) => el('td', { class: 'num' }, numberFormat.format(n))
  const row = (arm, control) => el('tr', { class: control ? 'arm arm-control' : 'arm', 'data-variant-id': arm.id },
    el('th', { scope: 'row' }, arm.name, control ? el('span', { class: 'muted' }, ` (${r.controlPercent}% held out)`) : ''),
    num(arm.exposures), num(arm.conversions), el('td', { class: 'num' }, pct(arm.conversionRate)),
    el('td', { class: 'num' }, control ? el('span', { class: 'muted' }, 'baseline') : liftEl(arm.lift, r.control)),
    el('td', { class: 'num' }, control || arm.pValue == null ? dash() : arm.pValue < 0.001 ? '< 0.001' : arm.pValue.toFixed(3)),
    el('td', {}, !control && arm.significant ? el('span', { class: 'badge significant' }, 'significant') : ''))
  $('exp-results').replaceChildren(
    el('div', { class: 'card-head' }, el('h2', {}, r.name, ' ', badge(r.status, 'status')),
      el('span', { class: 'muted' }, r.goal ? `Goal: ${r.goal}` : 'No goal event: conversions are not counted. Set one in the editor.')),
    el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'exp-results-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Arm'), ['Exposures', 'Conversions', 'Conversion rate', 'Lift vs control', 'p-value'].map((h) => el('th', { class: 'num' }, h)), el('th', {}, 'Significance'))),
      el('tbody', {}, row(r.control, true), r.variants.map((v) => row(v, false))))),
    el('ul', { class: 'verdicts' }, r.variants.map((v) => el('li', { class: v.significant ? 'win' : null }, verdict(v, r)))),
    el('p', { class: 'muted hint' }, 'Two-sided two-proportion z-test against control; significant when p < 0.05. Exposures count each visitor once.'))
}

// Ads: message match coverage, CSV import and the per-ad report.

/** A served headline is an HTML fragment: shown as plain text here. */
const plainText = (html) => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e])

async function renderAdsRoute({ siteId }) {
  const site = await enterSite(siteId, 'ads')
  $('ads-form').hidden = !site
  showError('ads-load-error', site ? '' : NO_SITE)
  if (site) await loadAds(siteId)
}

async function loadAds(siteId) {
  const seq = ++state.adsSeq
  const [coverage, ads] = await Promise.allSettled([api(`${siteApi(siteId)}/ads/coverage`), api(`${siteApi(siteId)}/ads`),
    state.expsSite === siteId ? null : loadExperiences(siteId)])
  if (seq !== state.adsSeq) return
  if (isAuthFailure(coverage.reason)) throw coverage.reason
  if (coverage.reason) return showError('ads-load-error', `Could not load the coverage report: ${coverage.reason.message}`)
  showError('ads-load-error', '')
  const keywords = new Map((ads.value?.ads || []).map((ad) => [ad.id, ad.keywords || []]))
  renderCoverage(coverage.value)
  renderAdsReport(siteId, coverage.value.report || [], keywords)
}

function renderCoverage(c) {
  const meter = (id, label, { covered, total, share }) => {
    const fill = el('span', {})
    fill.style.width = `${Math.round(share * 100)}%`
    return el('div', { class: 'cov', id },
      el('div', { class: 'cov-num' }, total ? `${Math.round(share * 100)}%` : '—'),
      el('div', {}, el('strong', {}, label), el('div', { class: 'muted' }, `${numberFormat.format(covered)} of ${numberFormat.format(total)} land on a dedicated experience`)),
      el('div', { class: 'bar', role: 'img', 'aria-label': `${pct(share, 0)} of ${label.toLowerCase()}` }, fill))
  }
  $('ads-coverage').replaceChildren(el('h2', {}, 'Message match coverage ', el('span', { class: 'muted' }, c.ads.total ? `${pct(c.coverage, 0)} overall` : '')),
    meter('ads-coverage-groups', 'Ad groups', c.adGroups), meter('ads-coverage-ads', 'Ads', c.ads),
    el('p', { id: 'ads-mismatches', class: c.mismatches ? 'flag-line' : 'muted' },
      c.mismatches ? `⚠ ${plural(c.mismatches, 'ad')} served a headline that shares no keyword with the ad.` : 'No keyword mismatches.'))
}

function renderAdsReport(siteId, report, keywords) {
  $('ads-empty').hidden = report.length > 0
  $('ads-table').hidden = !report.length
  $('ads-body').replaceChildren(...report.map((ad) => {
    const x = state.exps.find((e) => e.id === ad.experienceId)
    const words = keywords.get(ad.id) || []
    return el('tr', { class: ad.mismatch ? 'ad mismatch' : 'ad', 'data-ad-id': ad.id },
      el('td', {}, ad.campaign), el('td', {}, ad.adGroup),
      el('td', {}, el('div', { class: 'ad-name' }, ad.name), el('div', { class: 'sub' }, linkOrText(ad.finalUrl)),
        words.length ? el('div', { class: 'sub muted' }, `Keywords: ${words.join(', ')}`) : ''),
      el('td', {}, ad.headline),
      el('td', {}, ad.servedHeadline == null ? el('span', { class: 'muted' }, 'page default') : plainText(ad.servedHeadline),
        x ? el('div', { class: 'sub' }, el('a', { href: expHref(siteId, x.id) }, x.name)) : ''),
      el('td', { class: 'dedicated' }, ad.dedicated ? el('span', { class: 'pos', title: 'Lands on a dedicated experience' }, '✓ yes')
        : el('span', { class: 'neg', title: 'No experience targets this ad’s traffic' }, '✗ no')),
      el('td', {}, ad.mismatch ? [el('span', { class: 'badge flag' }, '⚠ headline shares no keyword with the ad'),
        ad.servedHeadline == null ? el('div', { class: 'sub muted' }, 'Cairn serves no headline for this URL.') : '']
        : ad.sharedKeywords?.length ? el('span', { class: 'muted' }, `shares: ${ad.sharedKeywords.join(', ')}`) : dash()),
      el('td', { class: 'actions' }, el('button', { type: 'button', class: 'ghost small ad-delete', 'aria-label': `Delete ad ${ad.name}`,
        onclick: () => removeAd(siteId, ad) }, 'Delete')))
  }))
}

async function removeAd(siteId, ad) {
  if (!confirm(`Delete the ad “${ad.name}” (${ad.campaign} / ${ad.adGroup})?`)) return
  try {
    await api(`${siteApi(siteId)}/ads/${enc(ad.id)}`, { method: 'DELETE' })
    announce(`Ad “${ad.name}” deleted.`)
    await loadAds(siteId)
  } catch (error) {
    handleFailure(error)
  }
}

async function importAds(event) {
  event.preventDefault()
  const { siteId } = parseRoute()
  const csv = $('ads-csv').value
  $('ads-status').textContent = ''
  clearInvalid($('ads-form'))
  if (!csv.trim()) {
    markInvalid($('ads-csv'), 'Paste the CSV or choose a file.', false)
    return showError('ads-error', 'Paste the CSV or choose a file.')
  }
  showError('ads-error', '')
  $('ads-import').disabled = true
  try {
    const { imported } = await api(`${siteApi(siteId)}/ads/import`, { method: 'POST', csv })
    $('ads-csv').value = $('ads-file').value = ''
    $('ads-status').textContent = `Imported ${plural(imported, 'ad')}.`
    announce(`Imported ${plural(imported, 'ad')}.`)
    await loadAds(siteId)
  } catch (error) {
    if (isAuthFailure(error)) return handleFailure(error)
    markInvalid($('ads-csv'), '', false)
    $('ads-error').replaceChildren(el('p', {}, error.message), el('ul', {}, error.issues.map(({ path, message }) =>
      el('li', { 'data-line': /\d+/.exec(path)?.[0] }, el('strong', {}, `${String(path).replace(/^line/, 'Line')}: `), message))))
    $('ads-error').hidden = false
  } finally {
    $('ads-import').disabled = false
  }
}

async function readAdsFile() {
  const file = $('ads-file').files[0]
  if (!file) return
  if (file.size > 1024 * 1024) return showError('ads-error', 'The file is over 1 MiB: split it into smaller imports.')
  showError('ads-error', '')
  $('ads-csv').value = await file.text()
}

// Wiring

function start() {
  state.token = tokenStore.read()
  $('sign-in-form').addEventListener('submit', signIn)
  $('sign-out').addEventListener('click', () => signOut())
  $('site-form').addEventListener('submit', createSite)
  $('settings-form').addEventListener('submit', saveSettings)
  $('leads-filter').addEventListener('submit', (event) => {
    event.preventDefault()
    const { siteId, leadId } = parseRoute()
    if (!siteId) return
    // The open lead may not match the new filter: close it so the URL and the list agree.
    if (leadId) history.replaceState(null, '', leadsHref(siteId))
    closeLeadPanel()
    loadLeads(siteId).catch(handleFailure)
  })
  $('leads-clear').addEventListener('click', () => {
    for (const id of Object.values(LEAD_FILTERS)) $(id).value = ''
    $('leads-filter').requestSubmit()
  })
  $('lead-close').addEventListener('click', () => {
    const { siteId, leadId } = parseRoute()
    state.focusLead = leadId
    location.hash = leadsHref(siteId)
  })
  $('rule-add').addEventListener('click', () => openEditor(null))
  $('rule-form').addEventListener('submit', applyRule)
  $('rule-cancel').addEventListener('click', cancelRule)
  $('rule-type').addEventListener('change', syncRuleType)
  $('rule-where-add').addEventListener('click', addCondition)
  $('rules-save').addEventListener('click', saveRules)
  $('rules-discard').addEventListener('click', discardRules)
  $('scoring-form').addEventListener('submit', saveScoring)
  $('exp-form').addEventListener('submit', saveExperience)
  $('exp-form').addEventListener('input', draftEdited)
  $('exp-variant-add').addEventListener('click', () => {
    $('exp-variants').append(variantBox(null))
    variantsChanged()
    $('exp-variants').lastChild.querySelector('.variant-name').focus()
  })
  $('exp-preview-panel').addEventListener('input', (event) => {
    if (event.target.id === 'exp-preview-url') state.urlTouched = true
    scheduleExpPreview()
  })
  $('exp-range').addEventListener('submit', (event) => {
    event.preventDefault()
    const { siteId, expId } = parseRoute()
    loadResults(siteId, expId).catch(handleFailure)
  })
  $('ads-form').addEventListener('submit', importAds)
  $('ads-file').addEventListener('change', () => readAdsFile().catch((error) => showError('ads-error', error.message)))
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    if ($('rule-form').contains(document.activeElement)) cancelRule()
    else if (!$('lead-detail').hidden && !$('leads-view').hidden) $('lead-close').click()
  })
  // Unsaved rule edits are lost with the page: ask first.
  addEventListener('beforeunload', (event) => { if (isDirty()) event.preventDefault() })
  addEventListener('hashchange', render)
  render()
}

start()
