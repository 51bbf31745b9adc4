// Renders a flow email: tokens, HTML + text bodies, the footer (unsubscribe link, postal address) and the
// RFC 8058 one-click unsubscribe headers every marketing email carries.
import type { EmailContent } from '../flows/messages'
import type { EmailStep } from '../flows/schema'
import { escapeHtml, renderTokens, type TokenScope } from './tokens'

export const POSTAL_PLACEHOLDER = '[Postal address missing: set it in the site settings before sending real email]'

export type EmailSite = { name: string; postalAddress?: string; from: string }

/**
 * Open pixel and click redirects of one message (only when the site turned them on), and the hidden link
 * only link scanners follow (`scannerUrl`, with click tracking unless the site turned the filter off).
 */
export type EmailTracking = { openUrl: string | null; clickUrl: ((index: number) => string) | null; scannerUrl?: string | null }

/** The click-link index of the hidden scanner link; an email's own links are numbered below it. */
export const SCANNER_LINK = 999

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g
/** A sentence's closing punctuation is not part of the link. */
const TRAILING = /[.,;:!?)\]]+$/

/** HTML of a plain-text paragraph with its http(s) URLs as links (escaped), counting links in `links`. */
function linkify(text: string, links: string[], clickUrl: EmailTracking['clickUrl']): string {
  let html = ''
  let at = 0
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(TRAILING, '')
    const start = match.index!
    html += escapeHtml(text.slice(at, start))
    const href = clickUrl && links.length < SCANNER_LINK ? clickUrl(links.length) : url
    links.push(url)
    html += `<a href="${escapeHtml(href)}">${escapeHtml(url)}</a>`
    at = start + url.length
  }
  return html + escapeHtml(text.slice(at))
}

export type RenderedEmail = { ok: true; subject: string; content: EmailContent } | { ok: false; reason: string }

export function renderEmail(input: {
  step: EmailStep
  variant: string | null
  scope: TokenScope
  site: EmailSite
  to: string
  messageId: string
  unsubscribeUrl: string
  /** Production refuses to send without a postal address; development shows a visible placeholder. */
  production: boolean
  tracking?: EmailTracking
}): RenderedEmail {
  const { step, scope, site } = input
  const postal = site.postalAddress?.trim()
  if (!postal && input.production) {
    return { ok: false, reason: 'postal_address_missing: the site has no postal address (site settings → postalAddress); marketing email must carry one' }
  }
  const address = postal || POSTAL_PLACEHOLDER
  const subjectTemplate = input.variant !== null && step.subjects ? step.subjects[Number(input.variant)]! : step.subject!
  const subject = renderTokens(subjectTemplate, scope, 'text').replace(/[\r\n]+/g, ' ')
  const bodyText = renderTokens(step.body, scope, 'text')
  const links: string[] = []
  const clickUrl = input.tracking?.clickUrl ?? null
  const paragraphs = bodyText
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map((line) => linkify(line, links, clickUrl)).join('<br>')}</p>`)
    .join('\n')
  // Empty, hidden (mso-hide for Outlook's Word engine, which ignores display:none on links) and out of the tab
  // order and the accessibility tree: no person can follow it, a scanner that fetches every href does.
  const scanner = input.tracking?.scannerUrl ? `\n<a href="${escapeHtml(input.tracking.scannerUrl)}" style="display:none;mso-hide:all" aria-hidden="true" tabindex="-1"></a>` : ''
  const pixel = input.tracking?.openUrl ? `\n<img src="${escapeHtml(input.tracking.openUrl)}" width="1" height="1" alt="" style="display:block;border:0">` : ''
  const footerHtml = `<hr><p style="font-size:12px;color:#666">${escapeHtml(site.name)} · ${escapeHtml(address)}<br>` +
    `<a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>`
  const html = `<!doctype html><html><body>\n${paragraphs}${scanner}\n${footerHtml}${pixel}\n</body></html>`
  const text = `${bodyText}\n\n--\n${site.name} · ${address}\nUnsubscribe: ${input.unsubscribeUrl}\n`
  return {
    ok: true,
    subject,
    content: {
      channel: 'email',
      from: site.from,
      headers: {
        From: site.from,
        To: input.to,
        Subject: subject,
        'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Cairn-Message-Id': input.messageId,
      },
      html,
      text,
      links,
    },
  }
}
