// Cairn dashboard shell: signs in with the admin token, lists sites and their leads through /api.
// Every value from the API may come from a visitor, so it reaches the page as DOM text only.

const TOKEN_KEY = 'cairn_admin_token'
const $ = (id) => document.getElementById(id)
const state = { token: null, sites: null, siteId: null, leads: [], leadsKey: null, lead: null, focusLead: null, listSeq: 0, detailSeq: 0 }

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

async function api(path, { method = 'GET', body, token = state.token } = {}) {
  const headers = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response
  try {
    response = await fetch(path, { method, headers, body: body && JSON.stringify(body), cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the Worker. Is it running?')
  }
  const data = await response.json().catch(() => null)
  if (response.ok) return data
  const error = (data && data.error) || {}
  throw new ApiError(response.status, error.code || 'http_error', error.message || `Request failed (HTTP ${response.status}).`,
    Array.isArray(error.issues) ? error.issues : [])
}

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
const leadsHref = (siteId) => `#/sites/${enc(siteId)}/leads`
const leadHref = (siteId, leadId) => `${leadsHref(siteId)}/${enc(leadId)}`
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dash = () => el('span', { class: 'muted' }, '—')

function timeEl(iso) {
  const date = new Date(iso)
  if (!iso || Number.isNaN(date.getTime())) return dash()
  return el('time', { datetime: date.toISOString(), title: date.toISOString() }, dateFormat.format(date))
}

function formatValue(value) {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value))
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

const linkOrText = (url) =>
  /^https?:/i.test(url) ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url) : el('span', {}, String(url))

function stageBadge(stage) {
  const name = String(stage || 'visitor')
  return el('span', { class: /^[a-z_]+$/.test(name) ? `badge stage-${name}` : 'badge' }, name)
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

// Views and routing

function showView(name) {
  const signedIn = name !== 'sign-in'
  $('sign-in-view').hidden = signedIn
  $('sites-view').hidden = name !== 'sites'
  $('leads-view').hidden = name !== 'leads'
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
  if (parts[0] === 'sites' && parts[1] && parts[2] === 'leads') return { view: 'leads', siteId: parts[1], leadId: parts[3] || null }
  return { view: 'sites' }
}

async function render() {
  if (!state.token) return showSignIn()
  const route = parseRoute()
  try {
    if (route.view === 'leads') await renderLeadsRoute(route)
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
  Object.assign(state, { token: null, sites: null, leads: [], leadsKey: null, lead: null })
  state.listSeq++
  state.detailSeq++
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
      el('td', { class: 'actions' }, el('a', { href, class: 'button-link' }, 'Leads'))),
    el('tr', { class: 'install', 'data-site-id': site.id },
      el('td', { colspan: 5 }, el('div', { class: 'snippet' },
        el('pre', {}, el('code', { class: 'snippet-code' }, snippet)),
        copyButton(snippet, `Copy script tag of ${site.name}`, 'copy-snippet')))),
  ]
}

const SITE_FIELDS = { name: ['Name', 'site-name'], origins: ['Allowed origins', 'site-origins'], origin: ['Edge origin', 'site-edge-origin'] }

function showSiteIssues(error, origins) {
  const items = (error.issues || []).map(({ path, message }) => {
    const [field, index] = String(path || '').split('.')
    const [label, inputId] = SITE_FIELDS[field] || [path || 'Request']
    if (inputId) $(inputId).setAttribute('aria-invalid', 'true')
    const value = field === 'origins' && origins[index] !== undefined ? ` “${origins[index]}”` : ''
    return el('li', {}, el('strong', {}, `${label}${value}: `), message)
  })
  $('site-error').replaceChildren(el('p', {}, error.message), items.length ? el('ul', {}, items) : '')
  $('site-error').hidden = false
}

async function createSite(event) {
  event.preventDefault()
  $('site-error').hidden = true
  for (const [, id] of Object.values(SITE_FIELDS)) $(id).removeAttribute('aria-invalid')
  const origins = $('site-origins').value.split(/[\s,]+/).filter(Boolean)
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
    else showSiteIssues(error, origins)
  } finally {
    $('site-create').disabled = false
  }
}

// Leads

async function renderLeadsRoute({ siteId, leadId }) {
  showView('leads')
  const site = (await loadSites()).find((s) => s.id === siteId)
  const siteName = site ? site.name : siteId
  $('leads-site-name').textContent = siteName
  $('leads-title').textContent = `Leads · ${siteName}`
  document.title = `Leads · ${siteName} · Cairn`
  if (state.siteId !== siteId) {
    $('leads-email').value = $('leads-stage').value = ''
    state.leadsKey = null
  }
  if (!site) {
    Object.assign(state, { siteId, leads: [], leadsKey: null })
    renderLeads()
    $('leads-empty').hidden = $('lead-detail').hidden = true
    return showError('leads-error', 'No site with this id. Pick one from the sites list.')
  }
  if (state.leadsKey !== leadsKey(siteId)) await loadLeads(siteId)
  else renderLeads()
  if (leadId) await openLead(siteId, leadId)
  else closeLeadPanel()
}

const leadsKey = (siteId) => [siteId, $('leads-email').value.trim(), $('leads-stage').value].join('\n')

async function loadLeads(siteId) {
  const seq = ++state.listSeq
  const query = new URLSearchParams({ limit: '200' })
  if ($('leads-email').value.trim()) query.set('email', $('leads-email').value.trim())
  if ($('leads-stage').value) query.set('stage', $('leads-stage').value)
  const key = leadsKey(siteId)
  $('leads-table').setAttribute('aria-busy', 'true')
  showError('leads-error', '')
  try {
    const { leads } = await api(`/api/sites/${enc(siteId)}/leads?${query}`)
    if (seq !== state.listSeq) return
    Object.assign(state, { siteId, leads, leadsKey: key })
    renderLeads()
  } catch (error) {
    if (seq !== state.listSeq) return
    if (isAuthFailure(error)) throw error
    showError('leads-error', [error.message, ...error.issues.map((i) => `${i.path}: ${i.message}`)].join(' '))
  } finally {
    $('leads-table').removeAttribute('aria-busy')
  }
}

function touchSummary(touch) {
  if (!touch) return dash()
  return el('span', { class: 'touch' }, `${touch.source || '—'} / ${touch.medium || '—'}`,
    touch.campaign ? el('span', { class: 'muted' }, ` · ${touch.campaign}`) : null)
}

function renderLeads() {
  const { leads, siteId } = state
  const filtered = Boolean($('leads-email').value.trim() || $('leads-stage').value)
  $('leads-empty').textContent = filtered ? 'No leads match these filters.' : 'No leads yet. They appear once the site’s script tag sends events.'
  $('leads-empty').hidden = leads.length > 0
  $('leads-table').hidden = leads.length === 0
  $('leads-body').replaceChildren(...leads.map((lead) => {
    const href = leadHref(siteId, lead.id)
    return el('tr', { class: 'lead', 'data-lead-id': lead.id, onclick: (e) => { if (!e.target.closest('a')) location.hash = href } },
      el('td', {}, el('a', { href, class: lead.email ? 'lead-link' : 'lead-link muted' }, lead.email || 'anonymous')),
      el('td', {}, stageBadge(lead.stage)),
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
  for (const id of ['lead-summary', 'lead-traits', 'lead-first-touch', 'lead-last-touch', 'lead-events']) $(id).replaceChildren()
  try {
    const lead = await api(`/api/sites/${enc(siteId)}/leads/${enc(leadId)}`)
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

function renderLead(lead) {
  $('lead-title').textContent = lead.email || 'Anonymous visitor'
  pairs('lead-summary', [
    ['Stage', stageBadge(lead.stage)],
    ['Score', String(lead.score ?? 0)],
    ['Sessions', String(lead.sessions ?? 0)],
    ['Events', String(lead.eventCount ?? 0)],
    ['First seen', timeEl(lead.firstSeen)],
    ['Last seen', timeEl(lead.lastSeen)],
    ['User id', lead.userId],
    ['Visitor ids', (lead.anonymousIds || []).join(', ')],
  ], '')
  pairs('lead-traits', Object.entries(lead.traits || {}), 'No traits yet.')
  touchPairs('lead-first-touch', lead.firstTouch)
  touchPairs('lead-last-touch', lead.lastTouch)
  const events = lead.events || []
  $('lead-events').replaceChildren(...(events.length ? events.map(eventItem) : [el('li', { class: 'muted' }, 'No events.')]))
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

// Wiring

function start() {
  state.token = tokenStore.read()
  $('sign-in-form').addEventListener('submit', signIn)
  $('sign-out').addEventListener('click', () => signOut())
  $('site-form').addEventListener('submit', createSite)
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
    $('leads-email').value = $('leads-stage').value = ''
    $('leads-filter').requestSubmit()
  })
  $('lead-close').addEventListener('click', () => {
    const { siteId, leadId } = parseRoute()
    state.focusLead = leadId
    location.hash = leadsHref(siteId)
  })
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('lead-detail').hidden) $('lead-close').click()
  })
  addEventListener('hashchange', render)
  render()
}

start()
